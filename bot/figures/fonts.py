"""A CJK font for charts and maps, so Chinese labels are drawn rather than shown as boxes.

The Noto Sans CJK SC font comes inside the `mplfonts` wheel; Debian's `fonts-noto-cjk` or any other
installed CJK font is used when that package is missing. When none is found, charts still render
and the logs say so once.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager

log = logging.getLogger(__name__)

PACKAGED = "NotoSansCJKsc-Regular.otf"
INSTALLED_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi")


@functools.cache
def cjk_family() -> str | None:
    """The family name of a CJK font known to matplotlib, registering the packaged one."""
    packaged = _packaged_font()
    if packaged is not None:
        font_manager.fontManager.addfont(str(packaged))
        return font_manager.FontProperties(fname=str(packaged)).get_name()
    installed = {font.name for font in font_manager.fontManager.ttflist}
    for family in INSTALLED_FAMILIES:
        if family in installed:
            return family
    log.warning("no CJK font found: charts will show Chinese as boxes (pip install mplfonts)")
    return None


@functools.cache
def cjk_font_file() -> Path | None:
    """The file of that CJK font, for drawing text without matplotlib (posters)."""
    family = cjk_family()
    if family is None:
        return None
    try:
        found = font_manager.findfont(
            font_manager.FontProperties(family=family), fallback_to_default=False
        )
    except ValueError:
        return None
    return Path(found)


def use_cjk_font() -> None:
    """Make the CJK font the default for the figures drawn next."""
    family = cjk_family()
    if family is not None:
        matplotlib.rcParams["font.family"] = [family, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False


def _packaged_font() -> Path | None:
    try:
        import mplfonts
    except ImportError:
        return None
    path = Path(mplfonts.__file__).parent / "fonts" / PACKAGED
    return path if path.is_file() else None
