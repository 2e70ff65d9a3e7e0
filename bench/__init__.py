"""Benchmarks: `python -m bench NAME [--size N]`; each prints one JSON object as its last line."""

from app.lean_aiogram import defer_aiogram_types

# First: the benchmarks import aiogram as the bot's command line does (see app/lean_aiogram.py).
defer_aiogram_types()
