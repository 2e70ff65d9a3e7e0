"""One colour per category in every picture (the /stats chart, the map): keyed by the
category's id, never by its place in a chart, so 犬只 is the same colour wherever it is drawn."""

from __future__ import annotations

# matplotlib's tab10 without its red (overdue on the map) and grey (no category), then tab20's
# lighter shades of the same hues: sixteen categories before a colour repeats.
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#17becf",
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#c5b0d5",
    "#c49c94",
    "#f7b6d2",
    "#dbdb8d",
    "#9edae5",
)
NO_CATEGORY = "#7f7f7f"
OVERDUE = "#d62728"


def category_colour(category_id: int | None) -> str:
    """The colour of a category in every chart and map (grey: no category)."""
    if category_id is None:
        return NO_CATEGORY
    return PALETTE[(category_id - 1) % len(PALETTE)]
