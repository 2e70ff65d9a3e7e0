"""The two patches on libraries' internals still find the private names they rely on.

Each failure names the patch, what is gone, and the setting that runs the library as it ships,
so an upgrade of aiogram, SQLAlchemy or aiosqlite that breaks a patch says so here rather than
in a slow process or a wrong result.
"""

from __future__ import annotations

import importlib
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

LEAN = "app/lean_aiogram.py (LEAN_AIOGRAM=false runs aiogram as it ships)"
ONE_TRIP = "storage/sqlite_driver.py (SQLITE_ONE_TRIP_CURSOR=false runs SQLAlchemy's own adapter)"


def test_aiogram_types_still_rebuild_with_the_private_namespace_argument() -> None:
    spec = importlib.util.find_spec("aiogram.types")
    assert spec is not None
    assert spec.origin is not None
    source = Path(spec.origin).read_text(encoding="utf-8")
    assert re.search(r"\.model_rebuild\(\s*_types_namespace=", source), (
        f"{LEAN}: aiogram.types no longer calls model_rebuild(_types_namespace=...), the call the "
        "patch catches; check the patch against this aiogram"
    )


def test_the_lean_import_catches_the_rebuild() -> None:
    """With the patch, importing aiogram leaves Message unbuilt; without it, aiogram built it."""
    probe = (
        "import sys\n"
        "from app.lean_aiogram import defer_aiogram_types\n"
        "if sys.argv[1] == 'on': defer_aiogram_types()\n"
        "import aiogram.types\n"
        "print(aiogram.types.Message.__pydantic_complete__)\n"
    )
    root = Path(__file__).resolve().parents[2]
    built = {
        mode: subprocess.run(
            [sys.executable, "-c", probe, mode],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for mode in ("on", "off")
    }
    assert built["off"] == "True", "aiogram no longer builds its types at import: drop the patch"
    assert built["on"] == "False", f"{LEAN}: installed, it no longer defers aiogram's types"


def test_importing_the_packages_installs_no_patch() -> None:
    probe = (
        "import sys, bot, handlers, storage, storage.db\n"
        "from app.lean_aiogram import _LeanImport\n"
        "print(any(isinstance(f, _LeanImport) for f in sys.meta_path),"
        " 'storage.sqlite_driver' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "False False", "importing a package installed a patch: only app.cli may"


@pytest.mark.parametrize(
    ("owner", "names"),
    [
        (
            "AsyncAdapt_aiosqlite_cursor",
            ("execute", "executemany", "await_", "_rows", "_connection", "_adapt_connection"),
        ),
        ("AsyncAdapt_aiosqlite_connection", ("cursor", "rollback", "_connection")),
        ("AsyncAdapt_aiosqlite_dbapi", ("connect",)),
    ],
)
def test_sqlalchemy_still_has_the_adapter_classes_the_cursor_patch_extends(
    owner: str, names: tuple[str, ...]
) -> None:
    module = importlib.import_module("sqlalchemy.dialects.sqlite.aiosqlite")
    cls = getattr(module, owner, None)
    assert cls is not None, f"{ONE_TRIP}: SQLAlchemy no longer has {owner}"
    slots = {slot for klass in cls.__mro__ for slot in getattr(klass, "__slots__", ())}
    missing = [name for name in names if not hasattr(cls, name) and name not in slots]
    assert not missing, f"{ONE_TRIP}: SQLAlchemy's {owner} no longer has {missing}"


def test_aiosqlite_still_runs_calls_through_its_private_execute() -> None:
    import aiosqlite

    execute = getattr(aiosqlite.Connection, "_execute", None)
    assert execute is not None, f"{ONE_TRIP}: aiosqlite.Connection._execute is gone"
    assert inspect.iscoroutinefunction(execute), f"{ONE_TRIP}: Connection._execute is not async"
    assert "self._conn" in inspect.getsource(aiosqlite.Connection), (
        f"{ONE_TRIP}: aiosqlite.Connection no longer keeps its sqlite3 connection in _conn"
    )
