"""What the answers to a category's quick questions mean for a case.

An answer may be marked `danger_now` (smoke or fire, a bite: the place is asked first, the case
is filed and alerted at once, with urgent deadlines), `urgent` (urgent deadlines only, the
report goes on as usual) or name a `department` whose group gets a copy besides the category's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from storage.models import Category


def picked(category: Category, answers: dict[str, str]) -> Iterator[dict[str, Any]]:
    """The options chosen among the category's quick questions."""
    for question in category.questions:
        for option in question["options"]:
            if answers.get(question["key"]) == option["key"]:
                yield option


def danger_now(category: Category, answers: dict[str, str]) -> bool:
    """Whether an answer means danger now: filed and alerted as soon as the place is known."""
    return any(option.get("danger_now") for option in picked(category, answers))


def urgent(category: Category, answers: dict[str, str]) -> bool:
    """Whether an answer gives the case urgent deadlines (danger now does too)."""
    return any(
        option.get("danger_now") or option.get("urgent") for option in picked(category, answers)
    )


def departments(category: Category, answers: dict[str, str]) -> list[str]:
    """The departments whose groups get the case: the category's, then those answers add."""
    codes = [category.department] if category.department else []
    for option in picked(category, answers):
        if option.get("department") and option["department"] not in codes:
            codes.append(option["department"])
    return codes


def danger_options(category: Category) -> Iterator[dict[str, Any]]:
    """Every answer of the category that means danger now."""
    for question in category.questions:
        yield from (option for option in question["options"] if option.get("danger_now"))


def named_departments(category: Category) -> list[str]:
    """Every department the category or any of its answers names."""
    codes = [category.department] if category.department else []
    for question in category.questions:
        for option in question["options"]:
            if option.get("department") and option["department"] not in codes:
                codes.append(option["department"])
    return codes
