"""aiogram imported through app/lean_aiogram.py: types built on first use, and built the same.

Each check runs in a fresh interpreter: whether aiogram is imported lazily is decided once per
process, and this test process has imported it long ago.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

UPDATE = {
    "update_id": 7,
    "message": {
        "message_id": 3,
        "date": 1_790_000_000,
        "chat": {"id": 42, "type": "private", "first_name": "李"},
        "from": {"id": 42, "is_bot": False, "first_name": "李", "language_code": "zh-hans"},
        "caption": "楼道堆放杂物",
        "photo": [{"file_id": "a", "file_unique_id": "b", "width": 90, "height": 60}],
        "reply_to_message": {
            "message_id": 2,
            "date": 1_789_999_000,
            "chat": {"id": 42, "type": "private"},
            "location": {"latitude": 30.25, "longitude": 120.16},
            "reply_markup": {
                "inline_keyboard": [[{"text": "受理", "callback_data": "case:accept:1"}]]
            },
        },
    },
}

LEAN = "from app.lean_aiogram import defer_aiogram_types; defer_aiogram_types()"

# Prints whether Message and SendMessage were built by the import, then the update as parsed.
PARSE = """
import json, sys
{importer}
import aiogram.methods as methods
import aiogram.types as types
print(json.dumps([types.Message.__pydantic_complete__, methods.SendMessage.__pydantic_complete__]))
update = types.Update.model_validate(json.loads(sys.argv[1]))
print(update.model_dump_json(exclude_none=True))
"""

# Builds every type, every method and every method's response the lazy way.
BUILD_ALL = """
from app.lean_aiogram import defer_aiogram_types
defer_aiogram_types()
import aiogram.methods as methods
import aiogram.types as types
from aiogram.methods.base import Response

failed = []
for module in (types, methods):
    for name in module.__all__:
        model = getattr(module, name)
        if not hasattr(model, "model_rebuild"):
            continue
        if module is methods and not isinstance(getattr(model, "__api_method__", None), str):
            continue  # Request, Response, TelegramMethod: bases, not methods
        try:
            model.model_rebuild(_parent_namespace_depth=0)
            if module is methods:
                Response[model.__returning__].model_rebuild(_parent_namespace_depth=0)
        except Exception as error:
            failed.append(f"{name}: {error!r}")
print("\\n".join(failed) or "ok")
"""


def _run(code: str, *args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_importing_the_bot_builds_no_type_and_parses_updates_as_aiogram_does() -> None:
    sample = json.dumps(UPDATE)
    lazy_built, lazy = _run(PARSE.format(importer=LEAN), sample)
    eager_built, eager = _run(PARSE.format(importer="import aiogram"), sample)

    assert (lazy_built, eager_built) == ("[false, false]", "[true, true]")
    assert lazy == eager
    assert json.loads(lazy)["message"]["reply_to_message"]["location"]["latitude"] == 30.25


def test_every_type_method_and_response_builds_on_first_use() -> None:
    assert _run(BUILD_ALL) == ["ok"]


# aiogram parses each answer as Response[returning type]; those classes must outlive a collection.
RESPONSES_KEPT = """
import gc
from app.lean_aiogram import defer_aiogram_types
defer_aiogram_types()
import aiogram.methods as methods
from aiogram.methods.base import Response
from app.lean_aiogram import HOT_METHODS, build_hot_types

build_hot_types()
def ids():
    return [id(Response[getattr(methods, name).__returning__]) for name in HOT_METHODS]
before = ids()
gc.collect()
print(before == ids())
"""


def test_the_answers_generic_classes_survive_garbage_collection() -> None:
    assert _run(RESPONSES_KEPT) == ["True"]


# The commands that never talk to Telegram must not load aiogram at all.
WITHOUT_TELEGRAM = """
import sys
from app.lean_aiogram import defer_aiogram_types
defer_aiogram_types()
import app.cli, app.export_cli, app.open311_server
print("aiogram" in sys.modules)
"""


def test_serving_the_api_and_exporting_do_not_load_aiogram() -> None:
    assert _run(WITHOUT_TELEGRAM) == ["False"]
