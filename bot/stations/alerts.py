"""A fire now: the nearest station's on-duty members are alerted at once (a location to
navigate to, the resident's answers, an 出发 button); 60 s without 出发 and the backup stations
and the community lead are alerted too. Every alert is a row, claimed before it is sent, so a
second instance never sends it again and a stopped process's is sent by the clock; the
escalation writes its backups' alerts and an owed row for the lead's message (storage.owed) in
the transaction that claims it, so a stop after the claim loses neither."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.categories import answers, table
from bot.places import routing
from bot.stations import on_duty, register
from bot.stations.nearest import backups, nearest
from bot.stations.response import nobody_on_duty
from bot.texts import Catalogue, Translator
from storage import owed as rows
from storage.db import Database
from storage.models import (
    Case,
    FireResponse,
    Owed,
    Person,
    Role,
    Station,
    StationAlert,
)
from storage.types import utcnow
from storage.upsert import insert_if_absent

log = logging.getLogger(__name__)

NO_START_WITHIN = timedelta(seconds=60)
SEND_LEASE = timedelta(minutes=1)  # longer than sending one station's alert takes
ESCALATION_OWED = "fire.escalation"  # what an escalation owes: backups' alerts, the lead told

GoButton = Callable[[Translator, int], InlineKeyboardMarkup]  # the 出发 button of a response


class Alerter:
    """Sends the alerts of fires to stations, and their backups when nobody sets off."""

    def __init__(
        self, bot: Bot, database: Database, catalogue: Catalogue, go_button: GoButton, tz: tzinfo
    ) -> None:
        self.bot = bot
        self.database = database
        self.catalogue = catalogue
        self.go_button = go_button
        self.tz = tz

    def for_update(self, database: Database) -> Alerter:
        alerter = copy.copy(self)
        alerter.database = database
        return alerter

    async def alert(self, case_id: int, now: datetime | None = None) -> FireResponse | None:
        """A fire now (a danger-now answer of a fire report): its station's on-duty members are
        alerted. Again for the same case (a filing delivered after a stop): nothing new."""
        now = now or utcnow()
        case = await _case(self.database, case_id)
        if case is None or not await fire_now(self.database, case):
            return None
        community_id = await routing.community_of(self.database, case)
        station = nearest(
            await register.all_stations(self.database),
            community_id,
            case.latitude,
            case.longitude,
        )
        if station is None:
            log.warning("fire %s: no station to alert", case.number)
            return None
        async with self.database.transaction() as session:
            # nobody on duty at the station: its backups and the lead are alerted at once
            nobody = not await on_duty.members_on_duty(session, station.id, now, self.tz)
            await insert_if_absent(
                session,
                FireResponse,
                {
                    "case_id": case.id,
                    "station_id": station.id,
                    "alerted_at": now,
                    "escalate_at": now if nobody else now + NO_START_WITHIN,
                },
                ["case_id"],
            )
            response = await session.scalar(
                select(FireResponse).where(FireResponse.case_id == case.id)
            )
            assert response is not None
            await _add_alert(session, response.id, response.station_id, backup=False, now=now)
        await self.send_pending(response.id, now)
        if nobody:
            await self.escalate_due(now)
        return response

    async def send_pending(self, response_id: int, now: datetime) -> int:
        """Send the response's alerts not sent yet (each claimed first); returns how many."""
        async with self.database.sessions() as session:
            alerts = list(
                await session.scalars(
                    select(StationAlert.id).where(
                        StationAlert.response_id == response_id, StationAlert.sent_at.is_(None)
                    )
                )
            )
        sent = 0
        for alert_id in alerts:
            if await self._claim(alert_id, now):
                await self._send(alert_id)
                sent += 1
        return sent

    async def _claim(self, alert_id: int, now: datetime) -> bool:
        async with self.database.transaction() as session:
            result = await session.execute(
                update(StationAlert)
                .where(
                    StationAlert.id == alert_id,
                    StationAlert.sent_at.is_(None),
                    or_(
                        StationAlert.claimed_at.is_(None),
                        StationAlert.claimed_at < now - SEND_LEASE,
                    ),
                )
                .values(claimed_at=now)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def _send(self, alert_id: int) -> None:
        async with self.database.sessions() as session:
            alert = await session.get_one(StationAlert, alert_id)
            response = await session.get_one(FireResponse, alert.response_id)
            station = await session.get_one(Station, alert.station_id)
            own = await session.get_one(Station, response.station_id)
            case = await session.get_one(Case, response.case_id)
            members = await on_duty.members_on_duty(session, station.id, utcnow(), self.tz)
        for person in members:
            t = self.translator(person)
            backup_key = (
                "stations.alert_backup_nobody"
                if nobody_on_duty(response)
                else "stations.alert_backup"
            )
            header = (
                t(backup_key, station=station.name, own=own.name)
                if alert.backup
                else t("stations.alert", station=station.name)
            )
            await self._send_one(
                person.tg_id,
                case,
                header + "\n" + await self.case_lines(case, t),
                self.go_button(t, response.id),
            )
        if not members:
            log.warning("fire %s: station %s has nobody on duty", case.number, station.id)
        async with self.database.transaction() as session:
            await session.execute(
                update(StationAlert).where(StationAlert.id == alert_id).values(sent_at=utcnow())
            )

    async def _send_one(
        self, chat_id: int, case: Case, text: str, markup: InlineKeyboardMarkup | None
    ) -> bool:
        try:
            if case.latitude is not None and case.longitude is not None:
                await self.bot.send_location(chat_id, case.latitude, case.longitude)
            await self.bot.send_message(chat_id, text, reply_markup=markup)
        except TelegramAPIError as error:
            log.warning("fire %s: alert not sent to chat %s: %s", case.number, chat_id, error)
            return False
        return True

    async def case_lines(self, case: Case, t: Translator) -> str:
        """What a member needs on the way: the case, the resident's answers, the place."""
        category = await table.category(self.database, case.category_id)
        return t(
            "stations.alert_case",
            number=case.number or "",
            category=table.category_text(t, category, case.answers),
            place=case.address or t("stations.place_shared"),
        )

    async def escalate_due(self, now: datetime | None = None) -> int:
        """Alerts nobody set off for within 60 s: their backup stations and the community lead
        are alerted, once (one conditional update claims each); returns how many."""
        now = now or utcnow()
        async with self.database.sessions() as session:
            due = list(
                await session.scalars(
                    select(FireResponse.id).where(
                        FireResponse.escalated_at.is_(None),
                        FireResponse.started_at.is_(None),
                        FireResponse.escalate_at <= now,
                    )
                )
            )
        escalated = 0
        for response_id in due:
            if owed := await self._claim_escalation(response_id, now):
                await self.deliver(owed, now)
                await rows.settle(self.database, Owed, owed.id)
                escalated += 1
        return escalated

    async def _claim_escalation(self, response_id: int, now: datetime) -> Owed | None:
        """Take the escalation: the backups' alerts and the lead's message are owed with it."""
        stations = await register.all_stations(self.database)
        async with self.database.transaction() as session:
            result = await session.execute(
                update(FireResponse)
                .where(
                    FireResponse.id == response_id,
                    FireResponse.escalated_at.is_(None),
                    FireResponse.started_at.is_(None),
                )
                .values(escalated_at=now)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                return None
            response = await session.get_one(FireResponse, response_id)
            own = next(s for s in stations if s.id == response.station_id)
            for station in backups(stations, own):
                await _add_alert(session, response_id, station.id, backup=True, now=now)
            return await rows.owe(session, ESCALATION_OWED, response_id, now=now)

    async def deliver(self, owed: Owed, now: datetime) -> None:
        """An escalation's backup alerts (those not sent yet) and the lead's message."""
        stations = await register.all_stations(self.database)
        async with self.database.sessions() as session:
            response = await session.get(FireResponse, owed.subject_id)
            case = await session.get(Case, response.case_id) if response else None
        own = next((s for s in stations if response and s.id == response.station_id), None)
        if response is None or case is None or own is None:
            return
        await self.send_pending(response.id, now)
        await self._tell_leads(case, own, backups(stations, own))

    async def _tell_leads(self, case: Case, own: Station, helpers: list[Station]) -> None:
        leads = await routing.staff_of(self.database, Role.LEAD, own.community_id)
        for person in leads or await routing.staff_of(self.database, Role.ADMIN, None):
            if not person.reachable:
                continue
            t = self.translator(person)
            names = t("list.separator").join(s.name for s in helpers) or t("stations.no_backup")
            text = t("stations.escalated", station=own.name, backups=names)
            await self._send_one(
                person.tg_id, case, text + "\n" + await self.case_lines(case, t), None
            )

    async def resend_stale(self, now: datetime | None = None) -> int:
        """Alerts a stopped process claimed and never sent: sent now."""
        now = now or utcnow()
        async with self.database.sessions() as session:
            stale = set(
                await session.scalars(
                    select(StationAlert.response_id).where(
                        StationAlert.sent_at.is_(None),
                        StationAlert.claimed_at < now - SEND_LEASE,
                    )
                )
            )
        return sum([await self.send_pending(response_id, now) for response_id in sorted(stale)])

    async def tick(self, now: datetime | None = None) -> int:
        """The clock's check: escalations due, and alerts a stopped process left unsent."""
        now = now or utcnow()
        return await self.escalate_due(now) + await self.resend_stale(now)

    async def tell_reporter(self, case: Case, key: str, **values: object) -> None:
        """Tell the resident who reported the fire how its response goes."""
        async with self.database.sessions() as session:
            reporter = await session.get(Person, case.reporter_id)
        if reporter is None or not reporter.reachable:
            return
        t = self.translator(reporter)
        try:
            await self.bot.send_message(reporter.tg_id, t(key, number=case.number or "", **values))
        except TelegramAPIError as error:
            log.warning("reporter of fire %s not told %s: %s", case.number, key, error)

    def translator(self, person: Person | None) -> Translator:
        if person is None:
            return self.catalogue.translator(self.catalogue.default_language)
        return self.catalogue.translator_for(person.language, person.tg_language)


async def fire_now(database: Database, case: Case) -> bool:
    """Whether a case is a fire now: a fire report with a danger-now answer."""
    if not case.urgent:
        return False
    category = await table.category(database, case.category_id)
    return (
        category is not None
        and category.alerts_stations
        and answers.danger_now(category, case.answers)
    )


async def _case(database: Database, case_id: int) -> Case | None:
    async with database.sessions() as session:
        return await session.get(Case, case_id)


async def _add_alert(
    session: AsyncSession, response_id: int, station_id: int, *, backup: bool, now: datetime
) -> None:
    await insert_if_absent(
        session,
        StationAlert,
        {"response_id": response_id, "station_id": station_id, "backup": backup, "created_at": now},
        ["response_id", "station_id"],
    )
