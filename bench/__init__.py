"""Benchmarks: `python -m bench NAME [--size N]`; each prints one JSON object as its last line."""

import bot  # noqa: F401  (first: aiogram is imported as the bot imports it, see bot/lean_aiogram.py)
