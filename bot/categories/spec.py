"""The categories file (YAML or JSON): reading and checking it, and writing the table back as one.

A file is `{categories: [...]}`; each category has its code, names, deadlines, urgency,
department, national class, icon, active, order and quick questions, whose answers may mark
the case danger-now (filed and alerted at once), urgent (urgent deadlines only) or add a
department. Every problem is collected, named by category and field, so one reading says all
that is wrong; nothing is written unless the whole file is right (see `importing`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from bot.categories.table import DEPARTMENT_LIMIT, LONGEST_MINUTES, duration
from bot.errors import PoliteError
from bot.texts import Markup, Translator

FILE_LIMIT = 1024 * 1024
MAX_CATEGORIES = 100
MAX_QUESTIONS = 5
MAX_ANSWERS = 12
CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
SERVICE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")  # Open311's, city platforms'

# Question and answer keys travel in a button's callback data (64 bytes with the case id).
KEY = re.compile(r"^[a-z0-9_]{1,20}$")
NAME_LIMIT = 64  # the column
QUESTION_LIMIT = 200
ANSWER_LIMIT = 48  # a button's text
ICON_LIMIT = 8
NATIONAL = {
    "national_class": 8,
    "national_subclass": 8,
    "national_class_name": 32,
    "national_subclass_name": 32,
}
FLAGS = ("danger_now", "urgent")
# The columns a file sets, in the order an export writes them.
COLUMNS = (
    "code",
    "service_code",
    "name_zh",
    "name_en",
    "icon",
    "accept_minutes",
    "resolve_minutes",
    "urgent",
    "department",
    "alerts_stations",
    "asks_dog_number",
    *NATIONAL,
    "active",
    "sort_order",
    "questions",
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong: the category (its code, or its place in the file) and field it is in."""

    category: str
    field: str
    key: str  # the text that says what is wrong (`catfile.*`)
    values: dict[str, object] = field(default_factory=dict)

    def text(self, t: Translator) -> str:
        return t(
            "catfile.problem",
            category=self.category,
            field=self.field,
            problem=Markup(t(self.key, **self.values)),
        )


class CategoryFileError(PoliteError):
    """A file that cannot be imported: `problems` has each thing wrong with it."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("catfile.failed")
        self.problems = problems

    def text(self, t: Translator, limit: int = 20) -> str:
        lines = [t("catfile.failed_title", count=len(self.problems))]
        lines += [problem.text(t) for problem in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(t("catfile.more_problems", count=len(self.problems) - limit))
        return "\n".join(lines)


def too_big() -> CategoryFileError:
    """The error of a file over FILE_LIMIT (told before it is downloaded, when its size is)."""
    return CategoryFileError([Problem("—", "—", "catfile.too_big", {"limit": FILE_LIMIT // 1024})])


def load(data: bytes) -> Any:
    """The file's content (YAML is a superset of JSON, so one reader takes both)."""
    if len(data) > FILE_LIMIT:
        raise too_big()
    try:
        return yaml.safe_load(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, yaml.YAMLError):
        raise CategoryFileError([Problem("—", "—", "catfile.unreadable")]) from None


def is_categories_file(content: Any) -> bool:
    """Whether read content is a categories file (and not, say, a GeoJSON of areas)."""
    return isinstance(content, dict) and "categories" in content


def parse(content: Any) -> list[dict[str, Any]]:
    """The checked categories of a file, as column values; CategoryFileError lists every problem."""
    raw = content.get("categories") if isinstance(content, dict) else content
    if not isinstance(raw, list) or not raw:
        raise CategoryFileError([Problem("—", "categories", "catfile.no_categories")])
    if len(raw) > MAX_CATEGORIES:
        raise CategoryFileError(
            [Problem("—", "categories", "catfile.too_many", {"limit": MAX_CATEGORIES})]
        )
    problems: list[Problem] = []
    rows = [_Reader(number, item, problems).row() for number, item in enumerate(raw, start=1)]
    for column in ("code", "service_code"):
        seen: set[str] = set()
        for row in rows:
            value = row.get(column)
            if isinstance(value, str) and value in seen:
                problems.append(Problem(row["code"], column, "catfile.duplicate", {"value": value}))
            seen.add(value)
    if problems:
        raise CategoryFileError(problems)
    return rows


class _Reader:
    """Reads one category of the file into column values, noting problems instead of raising."""

    def __init__(self, number: int, item: Any, problems: list[Problem]) -> None:
        self.item = item if isinstance(item, dict) else {}
        code = self.item.get("code")
        self.label = code if isinstance(code, str) and code else f"#{number}"
        self.number = number
        self.problems = problems
        if not isinstance(item, dict):
            self._problem("—", "catfile.not_a_mapping")

    def _problem(self, where: str, key: str, **values: object) -> None:
        self.problems.append(Problem(self.label, where, key, values))

    def row(self) -> dict[str, Any]:
        code = self._code("code", self.item.get("code"))
        names = self.item.get("name")
        names = names if isinstance(names, dict) else {}
        row: dict[str, Any] = {
            "code": code,
            "service_code": self._service_code(code),
            "name_zh": self._text("name.zh", names.get("zh"), NAME_LIMIT),
            "name_en": self._text("name.en", names.get("en"), NAME_LIMIT),
            "icon": self._optional("icon", self.item.get("icon"), ICON_LIMIT),
            "accept_minutes": self._minutes("accept"),
            "resolve_minutes": self._minutes("resolve"),
            "urgent": self._switch("urgent", self.item.get("urgent", False)),
            "department": self._optional("department", self.item.get("department"), 32),
            "alerts_stations": self._switch(
                "alerts_stations", self.item.get("alerts_stations", False)
            ),
            "asks_dog_number": self._switch(
                "asks_dog_number", self.item.get("asks_dog_number", False)
            ),
            "active": self._switch("active", self.item.get("active", True)),
            "sort_order": self._order(),
            "questions": self._questions(),
        }
        national = self.item.get("national") or {}
        if not isinstance(national, dict):
            self._problem("national", "catfile.not_a_mapping")
            national = {}
        for column, limit in NATIONAL.items():
            short = column.removeprefix("national_")
            row[column] = self._optional(f"national.{short}", national.get(short), limit)
        if (
            isinstance(row["accept_minutes"], int)
            and isinstance(row["resolve_minutes"], int)
            and row["accept_minutes"] > row["resolve_minutes"]
        ):
            self._problem("accept", "catfile.accept_after_resolve")
        return row

    def _code(
        self,
        where: str,
        value: Any,
        pattern: re.Pattern[str] = CODE,
        key: str = "catfile.bad_code",
    ) -> str:
        if not isinstance(value, str) or not pattern.match(value):
            self._problem(where, key, given=str(value))
            return value if isinstance(value, str) else f"#{self.number}"
        return value

    def _service_code(self, code: str) -> str:
        given = self.item.get("service_code")
        if given is None:
            return code
        return self._code("service_code", given, SERVICE_CODE, "catfile.bad_service_code")

    def _text(self, where: str, value: Any, limit: int) -> str:
        if not isinstance(value, str | int | float) or not str(value).strip():
            self._problem(where, "catfile.needs_text")
            return ""
        text = str(value).strip()
        if len(text) > limit:
            self._problem(where, "catfile.too_long", limit=limit)
        return text

    def _optional(self, where: str, value: Any, limit: int) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return self._text(where, value, limit)

    def _minutes(self, where: str) -> int | None:
        value = self.item.get(where)
        if isinstance(value, bool):
            value = None
        if isinstance(value, int) and 1 <= value <= LONGEST_MINUTES:
            return value
        if isinstance(value, str):
            try:
                return duration(value)
            except PoliteError:
                pass
        self._problem(where, "catfile.bad_duration", given=str(value))
        return None

    def _switch(self, where: str, value: Any) -> bool:
        if not isinstance(value, bool):
            self._problem(where, "catfile.bad_switch", given=str(value))
            return False
        return value

    def _order(self) -> int:
        value = self.item.get("order", self.number)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10_000:
            self._problem("order", "catfile.bad_order", given=str(value))
            return self.number
        return value

    def _questions(self) -> list[dict[str, Any]]:
        raw = self.item.get("questions") or []
        if not isinstance(raw, list) or len(raw) > MAX_QUESTIONS:
            self._problem("questions", "catfile.bad_questions", limit=MAX_QUESTIONS)
            return []
        questions = [self._question(n, q) for n, q in enumerate(raw, start=1)]
        self._unique("questions", [q["key"] for q in questions])
        return questions

    def _question(self, number: int, raw: Any) -> dict[str, Any]:
        where = f"questions[{number}]"
        raw = raw if isinstance(raw, dict) else {}
        answers = raw.get("answers")
        if not isinstance(answers, list) or not 2 <= len(answers) <= MAX_ANSWERS:
            self._problem(f"{where}.answers", "catfile.bad_answers", limit=MAX_ANSWERS)
            answers = []
        options = [self._answer(f"{where}.answers[{n}]", a) for n, a in enumerate(answers, 1)]
        self._unique(f"{where}.answers", [o["key"] for o in options])
        return {
            "key": self._key(f"{where}.key", raw.get("key")),
            "zh": self._text(f"{where}.zh", raw.get("zh"), QUESTION_LIMIT),
            "en": self._text(f"{where}.en", raw.get("en"), QUESTION_LIMIT),
            "options": options,
        }

    def _answer(self, where: str, raw: Any) -> dict[str, Any]:
        raw = raw if isinstance(raw, dict) else {}
        option: dict[str, Any] = {
            "key": self._key(f"{where}.key", raw.get("key")),
            "zh": self._text(f"{where}.zh", raw.get("zh"), ANSWER_LIMIT),
            "en": self._text(f"{where}.en", raw.get("en"), ANSWER_LIMIT),
        }
        for flag in FLAGS:
            if self._switch(f"{where}.{flag}", raw.get(flag, False)):
                option[flag] = True
        department = self._optional(f"{where}.department", raw.get("department"), DEPARTMENT_LIMIT)
        if department:
            option["department"] = department
        return option

    def _key(self, where: str, value: Any) -> str:
        if not isinstance(value, str) or not KEY.match(value):
            self._problem(where, "catfile.bad_key", given=str(value))
            return str(value)
        return value

    def _unique(self, where: str, keys: list[str]) -> None:
        for key in {k for k in keys if keys.count(k) > 1}:
            self._problem(where, "catfile.duplicate", value=key)


def dump(rows: list[dict[str, Any]], as_json: bool = False) -> str:
    """The file that imports back to `rows` (column values, as `parse` gives them)."""
    content = {"categories": [_entry(row) for row in rows]}
    if as_json:
        return json.dumps(content, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(content, allow_unicode=True, sort_keys=False, width=100)


def _entry(row: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "code": row["code"],
        "name": {"zh": row["name_zh"], "en": row["name_en"]},
    }
    if row["service_code"] != row["code"]:
        entry["service_code"] = row["service_code"]
    if row["icon"]:
        entry["icon"] = row["icon"]
    entry["accept"] = _duration_text(row["accept_minutes"])
    entry["resolve"] = _duration_text(row["resolve_minutes"])
    entry["urgent"] = row["urgent"]
    if row["department"]:
        entry["department"] = row["department"]
    if row["alerts_stations"]:
        entry["alerts_stations"] = True
    if row["asks_dog_number"]:
        entry["asks_dog_number"] = True
    national = {column.removeprefix("national_"): row[column] for column in NATIONAL if row[column]}
    if national:
        entry["national"] = national
    entry["active"] = row["active"]
    entry["order"] = row["sort_order"]
    if row["questions"]:
        entry["questions"] = [
            {
                "key": q["key"],
                "zh": q["zh"],
                "en": q["en"],
                "answers": [{k: v for k, v in o.items() if v} for o in q["options"]],
            }
            for q in row["questions"]
        ]
    return entry


def _duration_text(minutes: int) -> str | int:
    for unit, size in (("d", 24 * 60), ("h", 60), ("m", 1)):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return minutes
