"""The pure rules of campaigns: the kind of stage a phase's name says, the notice suggested for
it, each phase's own text, and the state of a phase from its plans."""

from __future__ import annotations

from datetime import date

import pytest

from bot.notices.campaign_control import PhaseState, phase_state
from bot.notices.campaigns import Phase, default_text, stage, with_text
from bot.texts import Catalogue, plain
from storage.models import PlanStatus as P

PHASE = Phase("集中整治", date(2026, 12, 10), date(2026, 12, 20))


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("动员部署", "mobilise"),
        ("排查摸底", "survey"),
        ("集中整治", "rectify"),
        ("检查验收", "inspect"),
        ("巩固提升", "consolidate"),
        ("巩固提高", "consolidate"),
        ("Mobilisation", "mobilise"),
        ("Final inspection", "inspect"),
        ("宣传月", ""),
    ],
)
def test_the_kind_of_stage_a_phase_name_says(name: str, kind: str) -> None:
    assert stage(name) == kind


def test_suggestions_differ_by_stage_and_name_the_campaign_and_dates() -> None:
    t = Catalogue.load().translator("zh")
    texts = {
        default_text(t, "犬只专项整治", Phase(name, PHASE.start, PHASE.end))
        for name in ("动员部署", "排查摸底", "集中整治", "检查验收", "巩固提升", "宣传月")
    }
    assert len(texts) == 6
    assert all("【犬只专项整治】" in text and "2026-12-10 至 2026-12-20" in text for text in texts)


def test_a_suggestion_is_in_the_authors_language_and_escapes_typed_names() -> None:
    t = Catalogue.load().translator("en")
    text = default_text(t, "Dogs <b>", Phase("Crackdown", PHASE.start, PHASE.end))
    assert text.startswith("[Dogs &lt;b&gt;] “Crackdown” (2026-12-10 to 2026-12-20)")
    assert plain(text, 200).startswith("[Dogs <b>]")


def test_each_phase_keeps_its_own_text() -> None:
    phases = [PHASE.to_json(), Phase("巩固提升", date(2026, 12, 21), date(2026, 12, 31)).to_json()]
    changed = with_text(phases, 1, "自己写的")
    assert [Phase.from_json(p).text for p in changed] == ["", "自己写的"]
    assert "text" not in changed[0]  # the default is written when the campaign is made
    assert Phase.from_json(changed[1]) == Phase(
        "巩固提升", date(2026, 12, 21), date(2026, 12, 31), "自己写的"
    )


@pytest.mark.parametrize(
    ("statuses", "today", "state"),
    [
        ([P.ACTIVE, P.ACTIVE], date(2026, 12, 9), PhaseState.UPCOMING),
        ([P.ACTIVE, P.ACTIVE], date(2026, 12, 10), PhaseState.RUNNING),
        ([P.DONE, P.ACTIVE], date(2026, 12, 15), PhaseState.RUNNING),
        ([P.DONE, P.PAUSED], date(2026, 12, 15), PhaseState.PAUSED),
        ([P.DONE, P.DONE], date(2026, 12, 21), PhaseState.OVER),
        ([P.DONE, P.CANCELLED], date(2026, 12, 15), PhaseState.STOPPED),
        ([P.CANCELLED, P.CANCELLED], date(2026, 12, 1), PhaseState.STOPPED),
        ([], date(2026, 12, 1), PhaseState.OVER),
    ],
)
def test_a_phase_state_from_its_plans_and_dates(
    statuses: list[P], today: date, state: PhaseState
) -> None:
    assert phase_state(PHASE, statuses, today) == state
