"""Statistics on SQLite and PostgreSQL: every figure of the seeded October (tests/stats_seed.py)
computed by hand; empty periods and areas; the red/black list with ties and grids without
cases."""

from __future__ import annotations

from datetime import date

import pytest

from bot.figures import ranking, stats
from bot.figures.indicators import Counts, Figures
from bot.timing.periods import month_of
from storage.db import Database
from storage.models import AreaLevel
from storage.models import CaseStatus as S
from tests.stats_seed import TZ, Seeder, at, seed_october

OCTOBER = month_of(2026, 10, TZ)
LATER = at(11, 24, 12)  # "now": after October, so every deadline before its end was due


def figures(report: stats.Report, seed: Seeder) -> dict[str, Figures]:
    areas = {v: k for k, v in seed.areas.items()}
    categories = {v: k for k, v in seed.categories.items()}
    found = {areas[key]: value for key, value in report.by_area.items()}
    found |= {categories[key]: value for key, value in report.by_category.items()}
    return found | {"total": report.total}


def medians(found: Figures) -> tuple[float | None, float | None]:
    return (
        None if found.accept_minutes is None else round(found.accept_minutes, 2),
        None if found.resolve_minutes is None else round(found.resolve_minutes, 2),
    )


async def test_october_figures_by_hand(database: Database) -> None:
    seed = await seed_october(database)
    tree = await stats.load_tree(database)
    report = await stats.report(database, OCTOBER, None, tree, now=LATER)
    found = figures(report, seed)
    # Counts(filed, dispatched, accepted, valid, due, on_time, closed, closed_on_time,
    #        resolved, reworked, rated, rating_sum)
    # total: cases 1-10; dispatched all but 9; accepted 1 2 3 5 7 10; valid all but 4 and 6;
    # due: resolved 1 2 3 5 10, overdue 7 9 (8 falls due after October); on time 1 3 5 10;
    # closed 1 2 5 10, on time 1 5 10; rework 2 of 5 resolved; ratings 5 3 4.
    assert found["total"].counts == Counts(10, 9, 6, 8, 7, 4, 4, 3, 5, 1, 3, 12)
    # accept: 20 40 30 60 10 5 -> (20+30)/2; resolve: 360 2880 1440 1440 2880 -> 1440
    assert medians(found["total"]) == (25, 1440)
    # A: cases 1-4
    assert found["C1-1"].counts == Counts(4, 4, 3, 3, 3, 2, 2, 1, 3, 1, 2, 8)
    assert medians(found["C1-1"]) == (30, 1440)  # 20 40 30; 360 2880 1440
    # B: cases 5-7; 7 is overdue and unresolved
    assert found["C1-2"].counts == Counts(3, 3, 2, 2, 2, 1, 1, 1, 1, 0, 1, 4)
    assert medians(found["C1-2"]) == (35, 1440)  # 60 10; 1440
    # C: cases 8 and 10; 10 resolved exactly at its deadline counts as on time
    assert found["C2-1"].counts == Counts(2, 2, 1, 2, 1, 1, 1, 1, 1, 0, 0, 0)
    assert medians(found["C2-1"]) == (5, 2880)
    assert "C2-2" not in found  # D: no cases
    # C1 = A + B + case 9 (on the community itself: filed, not dispatched)
    assert found["C1"].counts == Counts(8, 7, 5, 6, 6, 3, 3, 2, 4, 1, 3, 12)
    assert medians(found["C1"]) == (30, 1440)  # 20 40 30 60 10; 360 2880 1440 1440
    assert found["C2"].counts == found["C2-1"].counts
    # categories: fire 1 2 8; dog 3 7 10; sanitation 4 5 6; other 9
    assert found["fire"].counts == Counts(3, 3, 2, 3, 2, 1, 2, 1, 2, 1, 2, 8)
    assert medians(found["fire"]) == (30, 1620)  # 20 40; 360 2880
    assert found["dog"].counts == Counts(3, 3, 3, 3, 3, 2, 1, 1, 2, 0, 0, 0)
    assert medians(found["dog"]) == (10, 2160)  # 30 10 5; 1440 2880
    assert found["sanitation"].counts == Counts(3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 1, 4)
    assert found["other"].counts == Counts(1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0)
    assert medians(found["other"]) == (None, None)


async def test_rates_from_the_october_counts(database: Database) -> None:
    await seed_october(database)
    tree = await stats.load_tree(database)
    total = (await stats.report(database, OCTOBER, None, tree, now=LATER)).total.counts
    assert total.on_time_rate == 4 / 7
    assert total.closure_rate == 4 / 8
    assert total.on_time_closure_rate == 3 / 8
    assert total.rework_rate == 1 / 5
    assert total.satisfaction == 4.0
    assert total.share_rated == 3 / 4


async def test_what_was_due_depends_on_now(database: Database) -> None:
    await seed_october(database)
    tree = await stats.load_tree(database)
    # on 10-26 case 9 (due 10-18) was overdue, case 7 (due 10-27) not yet
    report = await stats.report(database, OCTOBER, None, tree, now=at(10, 26, 0))
    assert report.total.counts.due == 6


async def test_a_lead_scope_counts_only_its_areas(database: Database) -> None:
    seed = await seed_october(database)
    tree = await stats.load_tree(database)
    ids = {seed.areas["C1"], seed.areas["C1-1"], seed.areas["C1-2"]}
    report = await stats.report(database, OCTOBER, ids, tree, now=LATER)
    assert report.total.counts == Counts(8, 7, 5, 6, 6, 3, 3, 2, 4, 1, 3, 12)
    assert set(report.by_area) == ids
    assert seed.categories["fire"] in report.by_category
    assert report.by_category[seed.categories["fire"]].counts.filed == 2  # 8 is in C2


async def test_empty_period_and_empty_area(database: Database) -> None:
    seed = await seed_october(database)
    tree = await stats.load_tree(database)
    august = await stats.report(database, month_of(2026, 8, TZ), None, tree, now=LATER)
    assert august.total == Figures(Counts())
    assert august.by_area == {}
    assert august.by_category == {}
    empty_grid = {seed.areas["C2-2"]}
    nothing = await stats.report(database, OCTOBER, empty_grid, tree, now=LATER)
    assert nothing.total.counts.filed == 0
    assert nothing.total.counts.on_time_rate is None  # no data, not 0 %
    assert await stats.daily(database, OCTOBER, empty_grid) == {}


async def test_cases_per_local_day_and_category(database: Database) -> None:
    seed = await seed_october(database)
    c = seed.categories
    assert await stats.daily(database, OCTOBER, None) == {
        date(2026, 10, 2): {c["fire"]: 2},
        date(2026, 10, 5): {c["dog"]: 1},
        date(2026, 10, 10): {c["sanitation"]: 2},  # case 4: 10-09 23:00 UTC is 10-10 here
        date(2026, 10, 12): {c["dog"]: 1},
        date(2026, 10, 15): {c["other"]: 1},
        date(2026, 10, 20): {c["sanitation"]: 1},
        date(2026, 10, 25): {c["dog"]: 1},
        date(2026, 10, 31): {c["fire"]: 1},
    }


GRIDS = tuple((f"G{n}", f"第{n}网格", AreaLevel.GRID, "K") for n in range(1, 10))


async def test_red_and_black_list_with_ties_and_grids_without_cases(database: Database) -> None:
    async with database.transaction() as session:
        seed = Seeder(session)
        await seed.start((("K", "测试社区", AreaLevel.COMMUNITY, None), *GRIDS))

        async def closed(grid: str, on_time: bool, rating: int | None = None) -> None:
            resolved = at(10, 3, 9) if on_time else at(10, 9, 9)
            await seed.case(grid, "sanitation", at(10, 2, 9), S.CLOSED, at(10, 2, 10),
                            at(10, 5, 9), resolved, rating=rating)  # fmt: skip

        # (on-time closure rate, satisfaction): G1 (100 %, 5.0); G2 and G3 tie at (100 %, 4.0);
        # G4 (50 %, 5.0): one case still open; G5 (50 %, 3.0); G6 (0 %, 2.0); G7 (0 %, none);
        # G8 only a rejected case, G9 none: both unranked.
        for grid, rating in (("G1", 5), ("G1", 5), ("G2", 4), ("G2", 4), ("G3", 4), ("G3", 4)):
            await closed(grid, True, rating)
        await closed("G4", True, 5)
        await seed.case("G4", "sanitation", at(10, 2, 9), S.ACCEPTED, at(10, 2, 10), at(10, 5, 9))
        await closed("G5", True, 3)
        await closed("G5", False)
        await closed("G6", False, 2)
        await closed("G7", False)
        await seed.case("G8", "sanitation", at(10, 2, 9), S.REJECTED)
    listed = await ranking.rank(database, OCTOBER, now=LATER)
    assert [(s.rank, s.area.code) for s in listed.red] == [(1, "G1"), (2, "G2"), (2, "G3")]
    assert [(s.rank, s.area.code) for s in listed.black] == [(5, "G5"), (4, "G4")]
    # G6 and G7 have one valid case each: too few to rank fairly
    assert [area.code for area in listed.too_few] == ["G6", "G7", "G8", "G9"]
    assert listed.black[0].counts.on_time_closure_rate == 0.5
    assert listed.red[0].counts.satisfaction == 5.0


async def test_the_list_of_a_month_without_cases(database: Database) -> None:
    await seed_october(database)
    listed = await ranking.rank(database, month_of(2026, 8, TZ), now=LATER)
    assert listed.red == []
    assert listed.black == []
    assert [area.code for area in listed.too_few] == ["C1-1", "C1-2", "C2-1", "C2-2"]


@pytest.mark.parametrize("month", [9, 10])
async def test_only_the_cohort_of_the_month_counts(database: Database, month: int) -> None:
    await seed_october(database)
    tree = await stats.load_tree(database)
    report = await stats.report(database, month_of(2026, month, TZ), None, tree, now=LATER)
    # September holds only the case of 09-30 23:30 (local); the draft and 11-01 are nowhere
    assert report.total.counts.filed == {9: 1, 10: 10}[month]


async def test_a_case_sent_back_and_not_yet_resolved_again_counts_as_handled(
    database: Database,
) -> None:
    # One case only: resolved, reopened by the reporter (resolved_at cleared), not resolved
    # again. It was handled once and reworked once: rework rate 1/1, not 1/0.
    async with database.transaction() as session:
        seed = Seeder(session)
        await seed.start((("S", "街道", AreaLevel.STREET, None),))
        await seed.case("S", "dog", at(10, 5, 8), S.ACCEPTED, at(10, 5, 9), at(10, 9, 8), rework=1)
    tree = await stats.load_tree(database)
    report = await stats.report(database, OCTOBER, None, tree, now=LATER)
    assert (report.total.counts.resolved, report.total.counts.reworked) == (1, 1)
    assert report.total.counts.rework_rate == 1.0
