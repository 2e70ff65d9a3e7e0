"""A patch on aiogram's import: Telegram types' validators built on first use, not all at import.

Upstream behaviour worked around: `aiogram.types` ends by calling `model_rebuild()` on each of its
~440 pydantic models, which builds every validator at import: ~105 MB of a 170 MB process and
~1.4 s (aiogram issue #1513). The bot uses a few dozen of those types.

How: `defer_aiogram_types` hooks the import of aiogram. While its package code runs, that loop
records the types' namespace instead of building (only calls from it, an `aiogram.types` model
with the private `_types_namespace` argument, are caught); then the names go into each type
module's globals (what its `TYPE_CHECKING` imports would have been), so pydantic builds a type
the first time it is used (the models already say `defer_build=True`) and resolves its forward
references wherever that happens. If aiogram changes how it rebuilds, nothing is caught and
aiogram builds as before.

Installed only by the command line (`app.cli.main`, before anything imports aiogram), never by
importing a package; `LEAN_AIOGRAM=false` switches it off. `tests/unit/test_patches.py` fails,
naming this patch, when the private name it relies on disappears, and
`tests/unit/test_lean_aiogram.py` builds every type and method this way.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from importlib.util import find_spec
from types import ModuleType
from typing import Any

from pydantic import BaseModel

# The types every update and reply goes through: built at start, not during the first update.
HOT_TYPES = ("Update", "Message", "CallbackQuery", "File")
# The methods the bot calls. aiogram parses each answer as `Response[method.__returning__]`, a
# generic class pydantic caches only weakly: unless someone holds it, the garbage collector frees
# it and the next call builds its validator again (measured: ~30 % of the CPU spent on an update
# in `python -m bench pipeline`). `_responses` holds them for the life of the process.
HOT_METHODS = (
    "AnswerCallbackQuery",
    "DeleteWebhook",
    "EditMessageReplyMarkup",
    "EditMessageText",
    "GetFile",
    "GetMe",
    "GetUpdates",
    "SendDocument",
    "SendLocation",
    "SendMediaGroup",
    "SendMessage",
    "SendPhoto",
    "SendVenue",
    "SetMyCommands",
    "SetWebhook",
)
_responses: list[type[BaseModel]] = []


def defer_aiogram_types() -> None:
    """Make a later `import aiogram` lean (see above). Imports nothing of aiogram itself, so the
    processes that never use it (`serve-api`, `export`) do not pay for it."""
    if "aiogram" not in sys.modules and not any(
        isinstance(finder, _LeanImport) for finder in sys.meta_path
    ):
        sys.meta_path.insert(0, _LeanImport())


class _LeanImport(MetaPathFinder):
    """Finds aiogram as usual, and runs its package's code the lean way."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if fullname != "aiogram":
            return None
        sys.meta_path.remove(self)  # once: the search below goes to the usual finders
        spec = find_spec(fullname)
        if spec is not None and spec.loader is not None:
            run = spec.loader.exec_module
            spec.loader.exec_module = lambda module: _import_lean(run, module)  # type: ignore[method-assign]
        return spec


def _import_lean(run: Callable[[ModuleType], None], module: ModuleType) -> None:
    """Run aiogram's package code with the types' rebuild loop recording instead of building,
    then give every type module the names its annotations use. The names are given only after
    the whole package ran: earlier, the method classes defined meanwhile would build their
    validators (~26 MB) instead of leaving them for their first use."""
    namespace: dict[str, Any] = {}
    original = BaseModel.model_rebuild.__func__  # type: ignore[attr-defined]

    def record(cls: type[BaseModel], **kwargs: Any) -> bool | None:
        types_namespace = kwargs.get("_types_namespace")
        if types_namespace is not None and cls.__module__.startswith("aiogram.types."):
            namespace.update(types_namespace)
            return None
        return original(cls, **kwargs)

    BaseModel.model_rebuild = classmethod(record)  # type: ignore[method-assign,assignment]
    try:
        run(module)
    finally:
        BaseModel.model_rebuild = classmethod(original)  # type: ignore[method-assign]
    for name, loaded in list(sys.modules.items()):
        if name.startswith("aiogram.types.") and loaded is not None:
            for key, value in namespace.items():
                loaded.__dict__.setdefault(key, value)


def build_hot_types() -> None:
    """Build the validators every update needs now, so the first update does not pay for them."""
    import aiogram.methods
    import aiogram.types
    from aiogram.methods.base import Response

    for name in HOT_TYPES:
        getattr(aiogram.types, name).model_rebuild(_parent_namespace_depth=0)
    if _responses:
        return
    for name in HOT_METHODS:
        response = Response[getattr(aiogram.methods, name).__returning__]  # type: ignore[name-defined]
        response.model_rebuild(_parent_namespace_depth=0)
        _responses.append(response)
