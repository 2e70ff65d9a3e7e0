"""Deadlines watched by the clock: reminders and escalation of cases not accepted or not resolved
in time (officer, then community lead, then the street), and the morning digest of what is due.

Imports `bot.cases` (to tell staff through the desk), `bot.places`, `bot.timing`, `bot.telegram`,
`bot.texts` and `storage`. The deadlines themselves are set by the lifecycle from
`bot.timing.working_time`.
"""
