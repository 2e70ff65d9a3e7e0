"""The cases and categories as Open311 GeoReport v2 records: services and service requests.

No personal data leaves through here: never the reporter, the officer or any Telegram id, and
phone and ID card numbers in descriptions are masked. Drafts are never shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select

from bot.cases.lifecycle import OPEN
from bot.cases.masking import mask_personal_numbers
from bot.errors import PoliteError
from bot.texts import Catalogue
from storage.db import Database
from storage.models import Area, Case, CaseEvent, CaseStatus, Category

# What the spec asks by default: "a span of 90 days or first 1000 requests, whichever is smallest".
MAX_SPAN = timedelta(days=90)
MAX_REQUESTS = 1000
MAX_DESCRIPTION = 4000  # the spec's limit of a request's description
CLOSED = frozenset(
    {CaseStatus.CLOSED, CaseStatus.REJECTED, CaseStatus.DUPLICATE, CaseStatus.WITHDRAWN}
)
STATUSES = {"open": OPEN, "closed": CLOSED}

Record = dict[str, Any]


@dataclass(frozen=True)
class Query:
    """A GET requests query, already checked: ids override every other filter (as in the spec)."""

    start: datetime
    end: datetime
    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: frozenset[str] = frozenset()  # "open" and/or "closed"; empty: both
    extensions: bool = False


def window(
    start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    """The span of requested times searched: the last 90 days unless given, at most 90 days."""
    if start is None and end is None:
        return now - MAX_SPAN, now
    if start is None:
        assert end is not None
        return end - MAX_SPAN, end
    if end is None:
        return start, start + MAX_SPAN
    if end < start:
        raise PoliteError("open311.error.order")
    if end - start > MAX_SPAN:
        raise PoliteError("open311.error.span", days=MAX_SPAN.days)
    return start, end


@dataclass(frozen=True)
class Feed:
    """Reads services and requests in one language and time zone."""

    database: Database
    catalogue: Catalogue
    tz: ZoneInfo

    async def services(self, language: str) -> list[Record]:
        """Every active category as an Open311 service, in the bot's order."""
        async with self.database.sessions() as session:
            categories = await session.scalars(
                select(Category).where(Category.active).order_by(Category.sort_order, Category.id)
            )
            return [self._service(category, language) for category in categories]

    async def requests(self, query: Query, language: str) -> list[Record]:
        """The cases the query asks for, newest first, at most 1000."""
        async with self.database.sessions() as session:
            rows = (await session.execute(_select(query))).all()
        return [self._request(*row, language, query.extensions) for row in rows]

    def _service(self, category: Category, language: str) -> Record:
        return {
            "service_code": category.service_code,
            "service_name": category.name(language),
            "description": self._service_description(category, language),
            "metadata": False,
            "type": "realtime",
            "keywords": ", ".join(dict.fromkeys([category.name_zh, category.name_en])),
            "group": category.department,
            "extended_attributes": _national(category),
        }

    def _service_description(self, category: Category, language: str) -> str:
        key = "open311.service.urgent" if category.urgent else "open311.service.description"
        return self.catalogue.get(
            language,
            key,
            accept=self._duration(category.accept_minutes, language),
            resolve=self._duration(category.resolve_minutes, language),
        )

    def _duration(self, minutes: int, language: str) -> str:
        for unit, size in (("time.days", 24 * 60), ("time.hours", 60)):
            if minutes >= size and minutes % size == 0:
                return self.catalogue.get(language, unit, count=minutes // size)
        return self.catalogue.get(language, "time.minutes", count=minutes)

    def _request(
        self,
        case: Case,
        category: Category | None,
        grid: str | None,
        last_event: datetime | None,
        language: str,
        extensions: bool,
    ) -> Record:
        record: Record = {
            "service_request_id": case.number,
            "status": "closed" if case.status in CLOSED else "open",
            "status_notes": self.catalogue.get(language, f"status.{case.status.value}"),
            "service_name": category.name(language) if category else None,
            "service_code": category.service_code if category else None,
            "description": mask_personal_numbers(case.description)[:MAX_DESCRIPTION],
            "agency_responsible": category.department if category else None,
            "service_notice": None,
            "requested_datetime": self._time(case.submitted_at or case.created_at),
            "updated_datetime": self._time(_updated(case, last_event)),
            "expected_datetime": self._time(case.resolve_due_at),
            "address": mask_personal_numbers(case.address) if case.address else None,
            "address_id": grid,
            "zipcode": None,
            "lat": case.latitude,
            "long": case.longitude,
            "media_url": None,
        }
        if extensions:
            record["extended_attributes"] = {
                **(_national(category) if category else {}),
                "urgent": case.urgent,
                "rework_count": case.rework_count,
            }
        return record

    def _time(self, moment: datetime | None) -> str | None:
        """ISO 8601 (the w3 profile) with the offset of the configured time zone."""
        return moment.astimezone(self.tz).isoformat(timespec="seconds") if moment else None


def _select(query: Query) -> Select[tuple[Case, Category | None, str | None, datetime | None]]:
    last_event = (
        select(func.max(CaseEvent.created_at))
        .where(CaseEvent.case_id == Case.id)
        .correlate(Case)
        .scalar_subquery()
    )
    statement = (
        select(Case, Category, Area.code, last_event)
        .outerjoin(Category, Case.category_id == Category.id)
        .outerjoin(Area, Case.area_id == Area.id)
        .where(Case.status != CaseStatus.DRAFT, Case.number.is_not(None))
    )
    if query.ids:
        statement = statement.where(Case.number.in_(query.ids))
    else:
        statement = statement.where(
            Case.submitted_at >= query.start, Case.submitted_at <= query.end
        )
        if query.service_codes:
            statement = statement.where(Category.service_code.in_(query.service_codes))
        if query.statuses:
            wanted = set().union(*(STATUSES[status] for status in query.statuses))
            statement = statement.where(Case.status.in_(sorted(wanted)))
    return statement.order_by(Case.submitted_at.desc(), Case.id.desc()).limit(MAX_REQUESTS)


def _updated(case: Case, last_event: datetime | None) -> datetime:
    """When the case last changed; for a closed one, when it was closed (as the spec says)."""
    if case.status in CLOSED and case.closed_at is not None:
        return case.closed_at
    moments = [last_event, case.submitted_at, case.accepted_at, case.resolved_at]
    return max((m for m in moments if m is not None), default=case.created_at)


def _national(category: Category) -> Record:
    return {
        "national_class": category.national_class,
        "national_subclass": category.national_subclass,
        "national_class_name": category.national_class_name,
        "national_subclass_name": category.national_subclass_name,
    }
