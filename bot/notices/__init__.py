"""Notices and campaigns: plans composed by staff and run when due (once, repeating, or as a
campaign's dated phases), their audience, residents' subscriptions, and delivery through the
outbox (one row per recipient) by the sender, which one instance runs at a time.

Imports `bot.places`, `bot.timing`, `bot.telegram`, `bot.texts`, `bot.errors` and `storage`.
"""
