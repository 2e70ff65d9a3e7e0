"""A campaign as its author manages it: each phase's dates and state from its plans (the
residents' notice and the officers' reminders), and stopping the whole campaign or one phase.

Only the campaign's author or an admin may see and stop it (`plans.may_manage`); the campaign
and the phase are looked up again on the server, never taken from a button.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, tzinfo

from sqlalchemy import select

from bot.errors import PoliteError
from bot.notices import plans
from bot.notices.campaigns import Phase
from storage.db import Database
from storage.models import Campaign, NoticePlan, Person, PlanStatus

CURRENT = (PlanStatus.ACTIVE, PlanStatus.PAUSED)  # still to run: can be stopped


class PhaseState(enum.StrEnum):
    UPCOMING = "upcoming"
    RUNNING = "running"
    PAUSED = "paused"
    OVER = "over"
    STOPPED = "stopped"


def phase_state(phase: Phase, statuses: Iterable[PlanStatus], today: date) -> PhaseState:
    """Running or upcoming (by its dates) while a plan of it is still to run, paused when one is
    paused; once none is, stopped if one was cancelled, else over."""
    found = set(statuses)
    if found & set(CURRENT):
        if PlanStatus.PAUSED in found:
            return PhaseState.PAUSED
        return PhaseState.UPCOMING if today < phase.start else PhaseState.RUNNING
    return PhaseState.STOPPED if PlanStatus.CANCELLED in found else PhaseState.OVER


@dataclass(frozen=True)
class PhaseView:
    index: int
    phase: Phase
    plans: list[NoticePlan]
    state: PhaseState

    @property
    def stoppable(self) -> bool:
        return any(plan.status in CURRENT for plan in self.plans)


@dataclass(frozen=True)
class CampaignView:
    campaign: Campaign
    phases: list[PhaseView]

    @property
    def plans(self) -> list[NoticePlan]:
        return [plan for phase in self.phases for plan in phase.plans]

    @property
    def stoppable(self) -> bool:
        return any(phase.stoppable for phase in self.phases)

    @property
    def status(self) -> PlanStatus:
        """As a plan's: active while a phase is still to run, else cancelled if one was
        stopped, else done."""
        states = {phase.state for phase in self.phases}
        if self.stoppable:
            return PlanStatus.ACTIVE
        return PlanStatus.CANCELLED if PhaseState.STOPPED in states else PlanStatus.DONE


async def view(database: Database, campaign: Campaign, today: date) -> CampaignView:
    """The campaign's phases with their plans and states."""
    async with database.sessions() as session:
        found = (
            await session.scalars(
                select(NoticePlan)
                .where(NoticePlan.campaign_id == campaign.id)
                .order_by(NoticePlan.id)
            )
        ).all()
    phases = []
    for index, phase in enumerate(map(Phase.from_json, campaign.phases)):
        own = [plan for plan in found if plan.campaign_phase == index]
        phases.append(PhaseView(index, phase, own, phase_state(phase, _statuses(own), today)))
    return CampaignView(campaign, phases)


def _statuses(found: list[NoticePlan]) -> list[PlanStatus]:
    return [plan.status for plan in found]


async def campaign_for(database: Database, campaign_id: int, person: Person) -> Campaign:
    """A campaign the person may see and stop: admins every one, leads their own."""
    async with database.sessions() as session:
        campaign = await session.get(Campaign, campaign_id)
    if campaign is None or not plans.may_manage(person, campaign.author_id):
        raise PoliteError("notices.not_found")
    return campaign


async def stop(
    database: Database, shown: CampaignView, tz: tzinfo, phase: int | None = None
) -> int:
    """Cancel what is still to run of the campaign (or of its phase `phase`), with any send in
    progress; returns how many plans were stopped."""
    if phase is not None and not 0 <= phase < len(shown.phases):
        raise PoliteError("notices.not_found")
    chosen = shown.phases if phase is None else [shown.phases[phase]]
    stopped = 0
    for plan in (plan for each in chosen for plan in each.plans if plan.status in CURRENT):
        with contextlib.suppress(PoliteError):  # it ended meanwhile
            await plans.set_status(database, plan, PlanStatus.CANCELLED, tz)
            stopped += 1
    if not stopped:
        raise PoliteError("campaign.nothing_to_stop")
    return stopped
