"""Campaigns (专项整治): a name, a category, an audience and dated phases such as 动员部署,
集中整治, 检查验收, 巩固提高. Each phase opens with its own notice to the residents of the
audience at 09:00 on its first day, and reminds the officers and leads of those areas every
Monday at 09:00 while it lasts (to be acknowledged). The texts are in the author's language: a
phase's notice is what the author wrote for it, or the default offered for its kind of stage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, tzinfo
from typing import Any

from bot.errors import PoliteError
from bot.notices.audience import Audience, Kind
from bot.notices.plans import Draft, save_plan
from bot.notices.schedules import Repeat, Schedule
from bot.texts import Translator, plain
from storage.db import Database
from storage.models import Campaign, Person
from storage.types import utcnow

# A date as clerks write it: 2026-12-03, 2026/12/3, 2026年12月3日, 12/3, 12月3日 (no year: the
# coming one); the end may be a day alone after a month-day start (12月3日至9日).
_FULL = r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日号]?"
_SHORT = r"\d{1,2}\s*(?:/|月)\s*\d{1,2}\s*[日号]?"
_DAY = r"\d{1,2}\s*[日号]"
PHASE_LINE = re.compile(
    rf"^(.+?)\s*({_FULL}|{_SHORT})\s*(?:~|～|至|到|to|-|–|—|\s)\s*({_FULL}|{_SHORT}|{_DAY})$"
)
_NUMBERS = re.compile(r"\d+")
NOTICE_AT = time(9, 0)
REMINDER = "1 09:00"  # Mondays
MAX_PHASES = 8


# Kinds of stage by the words of a phase's name (the first that matches), each with its own
# default notice; a name that matches none gets the plain one.
STAGES = (
    ("mobilise", ("动员", "部署", "启动", "mobilis", "mobiliz", "launch", "kick")),
    ("survey", ("排查", "摸底", "调查", "survey", "investigat")),
    ("rectify", ("整治", "整改", "攻坚", "清理", "rectif", "crackdown", "clean")),
    ("inspect", ("检查", "验收", "评估", "inspect", "check", "review", "accept")),
    ("consolidate", ("巩固", "提升", "提高", "长效", "总结", "consolidat", "sustain")),
)


@dataclass(frozen=True)
class Phase:
    name: str
    start: date
    end: date
    text: str = ""  # the residents' notice (Telegram HTML); empty: the default

    def to_json(self) -> dict[str, Any]:
        found = {"name": self.name, "start": self.start.isoformat(), "end": self.end.isoformat()}
        return found | ({"text": self.text} if self.text else {})

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Phase:
        start, end = date.fromisoformat(data["start"]), date.fromisoformat(data["end"])
        return cls(data["name"], start, end, data.get("text", ""))


def stage(phase_name: str) -> str:
    """The kind of stage a phase's name says (动员部署 → mobilise), or "" for none known."""
    lowered = phase_name.lower()
    for kind, words in STAGES:
        if any(word in lowered for word in words):
            return kind
    return ""


def _values(name: str, phase: Phase) -> dict[str, Any]:
    """The campaign's and the phase's words for its texts (the catalogue escapes them)."""
    return {"name": name, "phase": phase.name, "start": phase.start, "end": phase.end}


def default_text(t: Translator, name: str, phase: Phase) -> str:
    """The residents' notice offered for a phase: its kind of stage's, with the campaign's
    name and the phase's name and dates, in the author's language."""
    kind = stage(phase.name)
    key = f"campaign.default_{kind}" if kind else "campaign.phase_notice"
    return t(key, **_values(name, phase))


def with_text(phases: list[dict[str, Any]], index: int, text: str) -> list[dict[str, Any]]:
    """The phases with the text of phase `index` set."""
    found = [Phase.from_json(phase) for phase in phases]
    found[index] = replace(found[index], text=text)
    return [phase.to_json() for phase in found]


def parse_phases(text: str, today: date) -> list[Phase]:
    """One phase a line: `name start end` (dates as YYYY-MM-DD), in order, not overlapping,
    not over before today."""
    phases = []
    for line in filter(None, (line.strip() for line in text.splitlines())):
        match = PHASE_LINE.match(line)
        if match is None:
            raise PoliteError("campaign.bad_phase_line", line=line[:60])
        try:
            start = _date(match[2], today)
            end = _date(match[3], today, after=start)
        except ValueError as error:
            raise PoliteError("campaign.bad_phase_line", line=line[:60]) from error
        phases.append(Phase(match[1].strip()[:40], start, end))
    if not phases or len(phases) > MAX_PHASES:
        raise PoliteError("campaign.phase_count", most=MAX_PHASES)
    for before, after in zip([None, *phases], phases, strict=False):
        if after.end < after.start or after.end < today or (before and after.start <= before.end):
            raise PoliteError("campaign.phase_dates", name=after.name)
    return phases


def _date(text: str, today: date, after: date | None = None) -> date:
    """A date of PHASE_LINE: with a year as written; month and day alone in the year that makes
    it on or after `after` (an end) or not long past `today` (a start); a day alone in the
    month of `after`."""
    numbers = [int(n) for n in _NUMBERS.findall(text)]
    if len(numbers) == 3:
        return date(*numbers)
    if len(numbers) == 1:
        if after is None:
            raise ValueError(text)
        return date(after.year, after.month, numbers[0])
    month, day = numbers
    base = after or today
    found = date(base.year, month, day)
    if after is not None and found < after:
        return date(base.year + 1, month, day)
    if after is None and (today - found).days > 180:  # e.g. 1/5 written in December
        return date(base.year + 1, month, day)
    return found


PREVIEW_CHARS = 80


def describe(t: Translator, name: str, topic: str, phases: list[dict[str, Any]]) -> str:
    """The campaign's title, then each phase's dates and the start of its notice."""
    lines = [t("campaign.title", name=name, topic=topic)]
    for phase in map(Phase.from_json, phases):
        lines.append(t("campaign.phase", name=phase.name, start=phase.start, end=phase.end))
        text = phase.text or default_text(t, name, phase)
        lines.append(t("campaign.phase_text", text=plain(text, PREVIEW_CHARS)))
    return "\n".join(lines)


async def create(
    database: Database,
    author: Person,
    name: str,
    topic: str,
    audience: Audience,
    phases: list[dict[str, Any]],
    tz: tzinfo,
    t: Translator,
) -> Campaign:
    """The campaign and, for each phase, its opening notice and the officers' reminders."""
    async with database.transaction() as session:
        campaign = Campaign(
            name=name,
            category=topic,
            audience=audience.to_json(),
            phases=phases,
            author_id=author.id,
        )
        session.add(campaign)
        await session.flush()
        for index, phase in enumerate(map(Phase.from_json, phases)):
            opening = max(_at(phase.start, NOTICE_AT, tz), utcnow())
            residents = Draft(
                phase.text or default_text(t, name, phase),
                audience,
                Schedule(Repeat.ONCE, opening.isoformat()),
                campaign_id=campaign.id,
                campaign_phase=index,
                first_run=opening,
            )
            officers = Draft(
                t("campaign.phase_reminder", **_values(name, phase)),
                Audience(Kind.STAFF, audience.areas),
                Schedule(Repeat.WEEKLY, REMINDER),
                ack=True,
                until=_at(phase.end, time(23, 59), tz),
                campaign_id=campaign.id,
                campaign_phase=index,
                first_run=opening,  # the first reminder opens the phase, then Mondays
            )
            for draft in (residents, officers):
                await save_plan(session, draft, author, None, tz)
        return campaign


def _at(day: date, at: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)
