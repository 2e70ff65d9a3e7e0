"""Pure rules of the domain: on-site verification and who may invite whom."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.cases import on_site
from bot.people.staff import may_invite
from bot.reports.media import image_type
from bot.texts import Catalogue
from handlers.common.durations import moment_text
from storage.models import Area, AreaLevel, Case, Person, Role

HERE = (30.2500, 120.1600)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _case(latitude: float | None = HERE[0], longitude: float | None = HERE[1]) -> Case:
    return Case(latitude=latitude, longitude=longitude)


@pytest.mark.parametrize(
    ("where", "verified"),
    [
        (HERE, True),
        ((30.2502, 120.1600), True),  # ~22 m north
        ((30.2600, 120.1600), False),  # ~1.1 km north
        ((math.nan, 120.16), False),
        ((1e308, 120.16), False),
        ((-91.0, 120.16), False),
    ],
)
def test_on_site_means_within_the_radius_of_the_case(
    where: tuple[float, float], verified: bool
) -> None:
    assert on_site.verified(_case(), *where, radius_m=100) is verified


def test_a_case_without_a_place_is_never_verified() -> None:
    assert not on_site.verified(_case(None, None), *HERE, radius_m=100)


def _person(role: Role, area_id: int | None = None, banned: bool = False) -> Person:
    return Person(tg_id=1, name="x", role=role, area_id=area_id, banned=banned)


GRID_OF_C1 = Area(id=11, code="C1-1", level=AreaLevel.GRID, parent_id=1)
GRID_OF_C2 = Area(id=21, code="C2-1", level=AreaLevel.GRID, parent_id=2)
C1 = Area(id=1, code="C1", level=AreaLevel.COMMUNITY, parent_id=None)


@pytest.mark.parametrize(
    ("inviter", "role", "area", "allowed"),
    [
        (_person(Role.ADMIN), Role.ADMIN, None, True),
        (_person(Role.ADMIN), Role.LEAD, C1, True),
        (_person(Role.ADMIN, banned=True), Role.OFFICER, GRID_OF_C1, False),
        (_person(Role.LEAD, 1), Role.OFFICER, GRID_OF_C1, True),
        (_person(Role.LEAD, 1), Role.OFFICER, GRID_OF_C2, False),
        (_person(Role.LEAD, 1), Role.LEAD, C1, False),
        (_person(Role.LEAD, 1), Role.ADMIN, None, False),
        (_person(Role.OFFICER, 11), Role.OFFICER, GRID_OF_C1, False),
        (_person(Role.RESIDENT), Role.OFFICER, GRID_OF_C1, False),
    ],
)
def test_who_may_invite_whom(inviter: Person, role: Role, area: Area | None, allowed: bool) -> None:
    assert may_invite(inviter, role, area) is allowed


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", "image/heic"),
        (b"MZ\x90\x00\x03\x00", None),  # a Windows program named photo.jpg.exe
        (b"%PDF-1.4", None),
        (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),  # a sound, not a WebP
        (b"\x00\x00\x00\x18ftypmp42", None),  # a video
        (b"", None),
    ],
)
def test_an_image_is_known_by_its_bytes(data: bytes, kind: str | None) -> None:
    assert image_type(data) == kind


@pytest.mark.parametrize(
    ("moment", "said"),
    [
        (datetime(2026, 12, 3, 19, 30, tzinfo=SHANGHAI), "今天 19:30"),
        (datetime(2026, 12, 4, 8, 31, tzinfo=SHANGHAI), "明天 08:31"),
        (datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI), "12月7日 09:00"),
        (datetime(2026, 12, 3, 16, 0, tzinfo=UTC), "明天 00:00"),  # UTC, said in local time
    ],
)
def test_a_deadline_is_said_as_people_say_it(moment: datetime, said: str) -> None:
    t = Catalogue.load().translator("zh")
    now = datetime(2026, 12, 3, 19, 0, tzinfo=SHANGHAI)
    assert moment_text(t, moment, now, SHANGHAI) == said
