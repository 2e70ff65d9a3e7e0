"""Persistence: SQLAlchemy models, the engine and sessions, queries and migrations."""
