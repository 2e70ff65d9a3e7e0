"""The /help text of each role, built from the role's command menu so the two never differ."""

from __future__ import annotations

from bot.telegram.commands import COMMANDS
from bot.texts import Translator
from storage.models import Role

# Commands that take arguments whose menu description does not already show them.
USAGE = frozenset(
    {
        "invite",
        "find",
        "stats",
        "ranking",
        "map",
        "poster",
        "export",
        "people",
        "categories",
        "revoke",
        "ban",
        "unban",
        "dogs",
        "station",
        "stations",
        "volunteers",
        "duties",
    }
)


def help_text(t: Translator, role: Role) -> str:
    """One line per command of `role` (`/name usage — description`), then the hints."""
    lines = [t("help.title")]
    if role != Role.RESIDENT:
        lines.append(t("help.role", role=t(f"role.{role.value}")))
    lines.append("")
    for name in COMMANDS[role]:
        usage = f" {t(f'help.usage_{name}')}" if name in USAGE else ""
        lines.append(t("help.line", command=f"/{name}{usage}", description=t(f"command.{name}")))
    lines += ["", t("help.report_hint")]
    if role == Role.ADMIN:
        lines.append(t("help.import_hint"))
    lines.append(t("help.safety"))
    return "\n".join(lines)
