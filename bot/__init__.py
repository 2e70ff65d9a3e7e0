"""The application: settings, wiring, the domain services and the texts."""

from bot.lean_aiogram import defer_aiogram_types

defer_aiogram_types()  # before anything imports aiogram: see bot/lean_aiogram.py
