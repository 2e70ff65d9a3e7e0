"""Every kind of button has a prefix of its own, and no id a database key cannot hold parses."""

from __future__ import annotations

import inspect

import pytest
from aiogram.filters.callback_data import CallbackData

from handlers.common import callbacks

KINDS = [
    kind
    for _, kind in inspect.getmembers(callbacks, inspect.isclass)
    if issubclass(kind, CallbackData) and kind is not CallbackData
]


def test_every_kind_of_button_has_its_own_prefix() -> None:
    prefixes = [kind.__prefix__ for kind in KINDS]
    assert len(KINDS) > 20
    assert sorted(p for p in set(prefixes) if prefixes.count(p) > 1) == []


@pytest.mark.parametrize("number", [2**31, 2**40, 2**63 - 1])
def test_an_id_beyond_a_postgresql_integer_does_not_parse(number: int) -> None:
    with pytest.raises((ValueError, TypeError)):
        callbacks.CaseOpen.unpack(f"v1co:{number}")


def test_the_largest_integer_key_parses() -> None:
    assert callbacks.CaseOpen.unpack(f"v1co:{2**31 - 1}").case_id == 2**31 - 1
