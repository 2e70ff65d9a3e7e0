"""Import aiogram without building every Telegram type's validator up front.

`aiogram.types` ends by calling `model_rebuild()` on each of its ~440 pydantic models, which builds
every validator at import: ~105 MB of a 170 MB process and ~1.4 s (aiogram issue #1513). The bot
uses a few dozen of those types. Installed before aiogram is imported (by `bot/__init__.py`),
`defer_aiogram_types` lets that loop record the types' namespace instead of building, and puts the
names into each type module's globals (what its `TYPE_CHECKING` imports would have been), so
pydantic builds a type the first time it is used (the models already say `defer_build=True`) and
resolves its forward references wherever that happens. Only calls from that loop (an
`aiogram.types` model with `_types_namespace`) are caught; every other `model_rebuild` passes
through. If aiogram changes how it rebuilds, nothing is caught and aiogram builds as before.
`tests/unit/test_lean_aiogram.py` builds every type and method this way.
"""

from __future__ import annotations

import sys
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
_original: Any = None
_shared: dict[str, Any] | None = None


def defer_aiogram_types() -> None:
    """Make a later `import aiogram` record its types' namespace instead of building them.

    Imports nothing of aiogram itself: the processes that never use it (`serve-api`, `export`)
    do not pay for it. Until aiogram is imported, the wrapper only passes calls through.
    """
    global _original
    if _original is not None or "aiogram" in sys.modules:
        return
    _original = original = BaseModel.model_rebuild.__func__  # type: ignore[attr-defined]

    def model_rebuild(cls: type[BaseModel], **kwargs: Any) -> bool | None:
        types_namespace = kwargs.get("_types_namespace")
        if types_namespace is not None and cls.__module__.startswith("aiogram.types."):
            _share_namespace(types_namespace)
            return None
        return original(cls, **kwargs)

    BaseModel.model_rebuild = classmethod(model_rebuild)  # type: ignore[method-assign,assignment]


def _share_namespace(namespace: dict[str, Any]) -> None:
    """Give every aiogram type module the names its annotations use (once: the same dict)."""
    global _shared
    if _shared is namespace:
        return
    _shared = namespace
    for name, module in list(sys.modules.items()):
        if name.startswith("aiogram.types.") and module is not None:
            for key, value in namespace.items():
                module.__dict__.setdefault(key, value)


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
