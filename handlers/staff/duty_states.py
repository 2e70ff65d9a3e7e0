"""The conversation steps of finishing a routine duty: the summary and photos, then a report
duty's figures one by one and their confirmation."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class DutyState(StatesGroup):
    finishing = State()  # photos (when required), then the summary as text


class DutyReportState(StatesGroup):
    figure = State()  # the figure at `index`, typed as text
    confirm = State()  # the figures shown, to file
