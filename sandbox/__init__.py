"""A fake Telegram to try the bot in: the Bot API emulator and the phones' page in a browser.

It knows nothing of the bot (import-linter keeps it so): `app/sandbox.py` puts the two together.
"""
