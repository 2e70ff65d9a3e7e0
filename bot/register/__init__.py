"""The case register: one row per filed case of a period and scope, written as .xlsx and CSV.

Imports `bot.figures`, `bot.timing`, `bot.texts` and `storage`.
"""
