"""Telegram as the domain meets it: the Bot and its one HTTP session with retries, the throttle
and the shared send budget that keep within Telegram's limits, the command menus per role and the
/help built from them, and Telegram's limits by name.

Imports `bot.texts` and `storage` only.
"""
