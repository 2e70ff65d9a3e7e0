"""Filing a draft as a case and telling its reporter: after Submit, or at once when a quick
answer means danger now (see `handlers.resident.report.danger`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cases import lifecycle, links, owed
from bot.reports import drafts
from handlers.common.durations import moment_text
from handlers.common.keyboards import main_menu
from handlers.resident.subscriptions import offer_after_first_report
from storage.models import Case, Role
from storage.types import utcnow

if TYPE_CHECKING:
    from handlers.resident.report.steps import Flow


async def submit(flow: Flow, draft: Case) -> lifecycle.Outcome:
    """File the draft (once; the resident's hourly limit is checked again)."""
    settings = flow.settings
    outcome = await drafts.submit(
        flow.database,
        draft.id,
        flow.person,
        settings.case_prefix,
        settings.tz,
        per_hour=settings.reports_per_hour,
    )
    flow.media.download_soon(outcome.case.id)
    await flow.state.clear()
    return outcome


async def announce(flow: Flow, outcome: lifecycle.Outcome, danger: bool = False) -> None:
    """Tell the reporter the case is filed and by when it is accepted (the moment the officer's
    card shows), then send what the filing owes (the cards)."""
    case, t = outcome.case, flow.t
    if case.officer_found and flow.person.role is Role.VOLUNTEER:  # a volunteer's patrol find
        key = "report.submitted_volunteer"
    elif case.officer_found:  # an officer's own find on patrol
        key = "report.submitted_patrol"
    elif danger:
        key = "report.submitted_danger"
    else:
        key = "report.submitted_urgent" if case.urgent else "report.submitted"
    due = case.accept_due_at or utcnow()
    text = t(key, number=case.number or "", by=moment_text(t, due, utcnow(), flow.settings.tz))
    if not case.officer_found and case.number:  # "share this case": one line, no new message
        username = (await flow.bot.me()).username or ""
        text += "\n" + t("doors.share_line", link=links.case_link(username, case.number))
    if offer := await offer_after_first_report(t, flow.database, flow.person, case):
        text += "\n\n" + offer
    await flow.bot.send_message(flow.chat_id, text, reply_markup=main_menu(t, flow.person.role))
    if outcome.owed is not None:
        await owed.reporter_told(flow.database, outcome.owed.id)
    await flow.desk.after(outcome, actor_id=flow.person.id)
