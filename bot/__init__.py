"""The application: settings, wiring, the domain services and the texts."""

from bot.lean_aiogram import import_aiogram

import_aiogram()  # before anything imports aiogram: see bot/lean_aiogram.py
