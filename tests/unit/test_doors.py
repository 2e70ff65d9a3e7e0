"""The doors' pure rules: what a case link or a poster link may say, and who prints posters."""

from __future__ import annotations

import pytest
import zxingcpp

from bot.cases import links
from bot.figures.poster import qr_image
from bot.reports import posters
from storage.models import Area, AreaLevel, Person, Role

START_PARAMETER_LIMIT = 64  # Telegram's limit of a deep link's start parameter
ALLOWED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


@pytest.mark.parametrize(
    ("payload", "number"),
    [
        ("c_JN-000001", "JN-000001"),
        ("c_jn-000001", "JN-000001"),
        ("c_MQ-1234567", "MQ-1234567"),
        ("c_JN-1", None),  # not a number the lifecycle gives
        ("c_1", None),
        ("c_JN-000001 ", None),
        ("c_JN-000001_x", None),
        ("c_", None),
        ("JN-000001", None),
        ("p_1_2", None),
        ("c_JN-" + "9" * 40, None),
    ],
)
def test_a_case_link_names_a_case_number_and_nothing_else(payload: str, number: str | None) -> None:
    assert links.number_of(payload) == number


def test_links_fit_telegrams_start_parameter() -> None:
    biggest = [links.case_payload("ABCDEF-" + "9" * 19), posters.payload(2**63 - 1, 2**63 - 1)]
    for payload in biggest:
        assert len(payload) <= START_PARAMETER_LIMIT
        assert set(payload) <= ALLOWED
    assert posters.payload(7) == "p_7"
    assert posters.payload(7, 3) == "p_7_3"
    assert posters.is_poster("p_7")
    assert not posters.is_poster(None)


GRID_OF_C1 = Area(id=11, code="C1-1", level=AreaLevel.GRID, parent_id=1)
GRID_OF_C2 = Area(id=21, code="C2-1", level=AreaLevel.GRID, parent_id=2)
C1 = Area(id=1, code="C1", level=AreaLevel.COMMUNITY, parent_id=None)


def _person(role: Role, area_id: int | None = None, banned: bool = False) -> Person:
    return Person(tg_id=1, name="x", role=role, area_id=area_id, banned=banned)


@pytest.mark.parametrize(
    ("person", "grid", "allowed"),
    [
        (_person(Role.ADMIN), GRID_OF_C2, True),
        (_person(Role.ADMIN), C1, False),  # posters are per grid
        (_person(Role.ADMIN, banned=True), GRID_OF_C1, False),
        (_person(Role.LEAD, 1), GRID_OF_C1, True),
        (_person(Role.LEAD, 1), GRID_OF_C2, False),
        (_person(Role.LEAD, None), GRID_OF_C1, False),
        (_person(Role.OFFICER, 11), GRID_OF_C1, False),
        (_person(Role.RESIDENT), GRID_OF_C1, False),
    ],
)
def test_who_may_print_a_grids_poster(person: Person, grid: Area, allowed: bool) -> None:
    assert posters.may_make(person, grid) is allowed


def test_the_qr_code_reads_back_as_the_link() -> None:
    link = posters.link("test_minqing_bot", 12, 3)
    image = qr_image(link, 400)
    assert image.size == (400, 400)
    [code] = zxingcpp.read_barcodes(image)
    assert code.text == link
