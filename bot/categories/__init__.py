"""The street's categories of problems: their deadlines, urgency, department and quick questions,
how a category reads with the answers given, and the department groups that get copies of cases.

Imports `storage`, `bot.texts` and `bot.errors` only: cases and reports read categories from here.
"""
