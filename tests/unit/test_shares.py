"""One rule for every share people read: no denominator is no data, "—", never 0 % or 100 %;
each figure that divides (cases, duties, stations, dogs, patrol coverage) follows it."""

from __future__ import annotations

import pytest

from bot.dogs.figures import vaccinated_share
from bot.dogs.register import CommunityCount
from bot.duties.figures import AreaDuties
from bot.figures.patrol_map import PatrolLayer
from bot.stations.figures import figures_text, summarise
from bot.texts import Catalogue, Translator
from bot.texts.shares import cell, percent, share


@pytest.fixture(scope="module", params=["zh", "en"])
def t(request: pytest.FixtureRequest) -> Translator:
    return Catalogue.load().translator(request.param)


def test_no_denominator_is_no_data(t: Translator) -> None:
    assert share(0, 0) is None
    assert share(3, 0) is None
    assert percent(t, share(0, 0)) == "—"
    assert cell(share(0, 0)) is None  # an empty cell in a spreadsheet


def test_a_denominator_gives_a_percentage_even_of_nothing(t: Translator) -> None:
    assert share(0, 4) == 0
    assert percent(t, share(0, 4)) == "0%"
    assert percent(t, share(1, 3)) == "33%"
    assert percent(t, share(2, 2)) == "100%"
    assert cell(share(1, 3)) == 0.3333


def test_every_figure_that_divides_follows_the_rule(t: Translator) -> None:
    assert AreaDuties("幸福社区", due=0, on_time=0, late=0, missed=0).rate is None
    assert AreaDuties("幸福社区", due=2, on_time=1, late=0, missed=1).rate == 0.5
    assert vaccinated_share(CommunityCount("幸福社区", registered=0, lapsed=0)) is None
    assert vaccinated_share(CommunityCount("幸福社区", registered=4, lapsed=1)) == 0.75
    assert PatrolLayer(tracks=[], grids=[]).average is None
    nothing = summarise([])
    assert nothing.on_time_share is None
    assert figures_text(t, nothing).endswith(" —")
