"""An officer's question to a reporter (REQUEST_INFO) stays open until the reporter answers
(ADD_INFO): while one is open, the reporter's next message is taken as the answer."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.cases.lifecycle import Action
from storage.db import Database
from storage.models import Case, CaseEvent, CaseStatus

ASKABLE = (CaseStatus.NEW, CaseStatus.ACCEPTED)


async def awaiting_answer(database: Database, reporter_id: int) -> Case | None:
    """The reporter's open case whose latest question is not answered yet (the newest asked)."""
    async with database.sessions() as session:
        open_ids = list(
            await session.scalars(
                select(Case.id).where(Case.reporter_id == reporter_id, Case.status.in_(ASKABLE))
            )
        )
        if not open_ids:  # most messages: nothing to look up
            return None
        rows = (
            await session.execute(
                select(CaseEvent.case_id, CaseEvent.action, func.max(CaseEvent.id))
                .where(
                    CaseEvent.case_id.in_(open_ids),
                    CaseEvent.action.in_([Action.REQUEST_INFO.value, Action.ADD_INFO.value]),
                )
                .group_by(CaseEvent.case_id, CaseEvent.action)
            )
        ).all()
        asked = {case_id: last for case_id, action, last in rows if action == Action.REQUEST_INFO}
        answered = {case_id: last for case_id, action, last in rows if action == Action.ADD_INFO}
        waiting = [
            (last, case_id) for case_id, last in asked.items() if answered.get(case_id, 0) < last
        ]
        if not waiting:
            return None
        return await session.get(Case, max(waiting)[1])
