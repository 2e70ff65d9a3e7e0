"""Settings read once at start from the environment and `.env`."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PLACEHOLDER_TOKEN = "123456789:replace-with-your-bot-token"  # noqa: S105  (.env.example's)
TOKEN_PATTERN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}
LANGUAGES = ("zh", "en")


class DatabaseSettings(BaseSettings):
    """What commands that only touch the database (e.g. `migrate`) need."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./data/bot.db"
    # Patches on libraries' internals (app/lean_aiogram.py, storage/sqlite_driver.py): on by
    # default for their speed and memory; off, the libraries run as they ship.
    lean_aiogram: bool = True
    sqlite_one_trip_cursor: bool = True
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("is not a database URL (e.g. sqlite:///./data/bot.db)") from None
        driver = DRIVERS.get(url.drivername)
        if driver is None:
            raise ValueError(
                f"uses unsupported driver {url.drivername!r}: use sqlite or postgresql"
            )
        if driver.startswith("sqlite") and not url.database:
            raise ValueError("names no SQLite file")
        return url.set(drivername=driver).render_as_string(hide_password=False)


class LocalSettings(DatabaseSettings):
    """What commands without Telegram need: the database, the time zone, the language, and the
    API's address (`export`, `serve-api`)."""

    timezone: str = "Asia/Shanghai"
    default_language: Literal["zh", "en"] = "zh"
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8081, ge=1, le=65535)
    export_dir: Path = Path("./data/exports")  # where `export` writes without --out

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a known time zone (e.g. Asia/Shanghai)") from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Settings(LocalSettings):
    """Every setting of the bot; see `.env.example` for what each one means."""

    bot_token: SecretStr
    telegram_api_url: str | None = None
    redis_url: str | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    media_dir: Path = Path("./data/media")
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    open311_enabled: bool = True
    broadcast_rate: float = Field(default=25.0, gt=0, le=30)
    # Paid broadcasting (Bot API 7.11's allow_paid_broadcast): up to 1000 messages a second for
    # a fee in Stars, for urgent notices only unless PAID_BROADCAST_FOR=all.
    paid_broadcast: bool = False
    paid_broadcast_rate: float = Field(default=1000.0, gt=30, le=1000)
    paid_broadcast_for: Literal["urgent", "all"] = "urgent"
    paid_broadcast_stars_per_message: float = Field(default=0.1, ge=0)
    update_concurrency: int = Field(default=256, ge=1, le=1000)
    outbox_claim_seconds: int = Field(default=120, ge=1)
    quiet_hours: Annotated[tuple[time, time] | None, NoDecode] = None
    case_prefix: str | None = Field(default=None, pattern=r"^[A-Z]{1,6}$")
    reports_per_hour: int = Field(default=5, ge=1)
    duplicate_radius_m: float = Field(default=50, ge=0)
    duplicate_days: int = Field(default=14, ge=0)
    auto_close_hours: int = Field(default=72, ge=1)
    routing_tolerance_m: float = Field(default=100, ge=0)
    verify_radius_m: float = Field(default=100, ge=0)
    invite_days: int = Field(default=7, ge=1)
    restricted_breeds: Annotated[frozenset[str], NoDecode] = frozenset(
        {"tibetan_mastiff", "pit_bull", "rottweiler"}
    )
    # The subscription topic (a category's code) whose followers get immunisation days.
    dog_topic: str = "dog"

    @field_validator(
        "telegram_api_url",
        "redis_url",
        "webhook_url",
        "webhook_secret",
        "case_prefix",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value() == PLACEHOLDER_TOKEN:
            raise ValueError(
                "is still the placeholder from .env.example: put the token @BotFather gave you"
            )
        if not TOKEN_PATTERN.match(value.get_secret_value()):
            raise ValueError("does not look like a bot token (digits, a colon, then the secret)")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,\s]+", value) if p]
            if not all(p.lstrip("-").isdigit() for p in parts):
                raise ValueError("must be Telegram user ids separated by commas")
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("restricted_breeds", mode="before")
    @classmethod
    def _restricted_breeds(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in re.split(r"[,，]", value) if part.strip())
        return value

    @field_validator("quiet_hours", mode="before")
    @classmethod
    def _quiet_hours(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if isinstance(value, str):
            match = re.fullmatch(r"(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})", value.strip())
            if not match:
                raise ValueError("must look like 22:00-07:00")
            return tuple(time.fromisoformat(part.zfill(5)) for part in match.groups())
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET_PATTERN.match(value.get_secret_value()):
            raise ValueError("may hold only A-Z, a-z, 0-9, _ and -, at most 256 characters")
        return value


S = TypeVar("S", bound=DatabaseSettings)


class ConfigError(Exception):
    """Settings that cannot start the bot; the message is one line per bad setting."""


def describe_errors(error: ValidationError) -> str:
    """One line per bad setting, naming the environment variable, without values or secrets."""
    lines = []
    for item in error.errors():
        name = str(item["loc"][0]).upper() if item["loc"] else "settings"
        if item["type"] == "missing":
            reason = "is missing: set it in the environment or in .env"
        else:
            reason = str(item["msg"]).removeprefix("Value error, ")
        lines.append(f"configuration error: {name} {reason}")
    return "\n".join(lines)


def load_settings(kind: type[S] = Settings, **overrides: object) -> S:  # type: ignore[assignment]
    """Build the settings, turning validation errors into a `ConfigError`."""
    try:
        return kind(**overrides)
    except ValidationError as error:
        raise ConfigError(describe_errors(error)) from None
