"""The buttons and the words of routine duties: the open ones, and one being done."""

from __future__ import annotations

from datetime import date, tzinfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.duties.doing import Turn
from bot.duties.patrol_figures import AreaPatrol
from bot.duties.track import Track
from bot.texts import Translator
from bot.texts.shares import percent
from handlers.common.callbacks import DutyDo, DutyFindStart, DutyRun
from handlers.common.distances import distance_text
from handlers.common.durations import duration_text


def item_text(t: Translator, item: dict[str, str]) -> str:
    """A checklist item in the reader's language (the file gives it in zh and en)."""
    return item.get(t.language) or item.get("zh") or ""


def when(turn: Turn, tz: tzinfo) -> tuple[str, str]:
    """The period's first day and the deadline, as the reader sees them."""
    period = turn.occurrence.period_start.strftime("%Y-%m-%d")
    return period, turn.occurrence.due_at.astimezone(tz).strftime("%m-%d %H:%M")


def open_list(t: Translator, turns: list[Turn], tz: tzinfo) -> InlineKeyboardMarkup:
    """One button per open occurrence: start it, or go on with it."""
    rows = []
    for turn in turns:
        period, _ = when(turn, tz)
        key = "duties.button_continue" if turn.occurrence.started_at else "duties.button_start"
        data = DutyRun(occurrence_id=turn.occurrence.id, do=DutyDo.OPEN).pack()
        rows.append(
            [
                InlineKeyboardButton(
                    text=t(key, name=turn.duty.name, period=period), callback_data=data
                )
            ]
        )
    return InlineKeyboardMarkup(inline_keyboard=rows)


def checklist_text(t: Translator, turn: Turn, tz: tzinfo) -> str:
    period, due = when(turn, tz)
    done, total = len(set(turn.occurrence.checked)), len(turn.duty.checklist)
    text = t(
        "duties.checklist", name=turn.duty.name, period=period, due=due, done=done, total=total
    )
    if turn.finds:
        text += "\n" + t("duties.finds", count=turn.finds)
    if turn.duty.photos:
        text += "\n" + t("duties.photos_needed")
    if turn.duty.track:
        text += "\n" + t("duties.track_needed")
    return text


def track_line(t: Translator, walked: Track) -> str:
    """The finish summary's line on the patrol track: its length and how long it took."""
    if not walked.walked:
        return ""
    length = distance_text(t, walked.metres)
    duration = duration_text(t, max(1, round(walked.seconds / 60)))
    return "\n" + t("duties.track_summary", length=length, duration=duration)


def patrol_lines(t: Translator, rows: list[AreaPatrol], month: date) -> list[str]:
    """Found by patrol versus reported by residents, and the grids' patrol coverage."""
    lines = [t("duties.patrol_title", month=month.strftime("%Y-%m"))]
    for row in rows:
        coverage = percent(t, row.coverage)
        values = {"found": row.found, "reported": row.reported, "coverage": coverage}
        lines.append(t("duties.patrol_line", area=row.area, **values))
    return lines


def checklist(t: Translator, turn: Turn) -> InlineKeyboardMarkup:
    """Each item a button that ticks it (the message is edited in place), then find and finish."""
    occurrence_id, checked = turn.occurrence.id, set(turn.occurrence.checked)
    rows = []
    for index, item in enumerate(turn.duty.checklist):
        mark = "☑" if index in checked else "☐"
        data = DutyRun(occurrence_id=occurrence_id, do=DutyDo.TICK, item=index).pack()
        rows.append([InlineKeyboardButton(text=f"{mark} {item_text(t, item)}", callback_data=data)])
    find = DutyFindStart(occurrence_id=occurrence_id).pack()
    finish = DutyRun(occurrence_id=occurrence_id, do=DutyDo.FINISH).pack()
    rows.append(
        [
            InlineKeyboardButton(text=t("duties.button_find"), callback_data=find),
            InlineKeyboardButton(text=t("duties.button_finish"), callback_data=finish),
        ]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)
