"""The text catalogues: complete in both languages, safe to fill, and used by key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cases.lifecycle import Action
from bot.telegram.commands import COMMANDS
from bot.texts import Catalogue, Markup, TextRef, placeholders
from storage.models import CaseStatus, Role

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load()


def test_both_languages_have_the_same_keys_and_placeholders(catalogue: Catalogue) -> None:
    zh, en = catalogue.texts["zh"], catalogue.texts["en"]
    assert set(zh) == set(en)
    for key in zh:
        assert placeholders(zh[key]) == placeholders(en[key]), key


def test_every_key_used_in_code_exists(catalogue: Catalogue) -> None:
    used: set[str] = set()
    pattern = re.compile(
        r"""\b(?:t|translate|get)\(\s*(?:[a-z_]+,\s*)?["']([a-z_0-9]+(?:\.[a-z_0-9]+)+)["']"""
    )
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("handlers/**/*.py")]:
        used |= set(pattern.findall(path.read_text()))
    used |= {f"role.{role.value}" for role in Role}
    used |= {f"command.{name}" for names in COMMANDS.values() for name in names}
    used |= {f"event.{action.value}" for action in Action} | {"event.escalate"}
    used |= {f"status.{status.value}" for status in CaseStatus}
    assert len(used) > 15
    missing = sorted(key for key in used if key not in catalogue.texts["zh"])
    assert missing == []


def test_values_are_escaped_but_markup_is_not(catalogue: Catalogue) -> None:
    text = catalogue.get("zh", "start.role", role="<script>&")
    assert "&lt;script&gt;&amp;" in text
    assert "<b>x</b>" in catalogue.get("zh", "start.role", role=Markup("<b>x</b>"))


def test_language_choice(catalogue: Catalogue) -> None:
    assert catalogue.language_for(None, "en") == "en"
    assert catalogue.language_for(None, "en-GB") == "en"
    assert catalogue.language_for(None, "zh-hans") == "zh"
    assert catalogue.language_for(None, "ru") == "zh"
    assert catalogue.language_for(None, None) == "zh"
    assert catalogue.language_for("zh", "en") == "zh"
    assert Catalogue(catalogue.texts, "en").language_for(None, "de") == "en"


def test_unknown_key_is_an_error(catalogue: Catalogue) -> None:
    with pytest.raises(KeyError):
        catalogue.get("zh", "no.such_key")


def test_menu_texts_differ_by_language_where_they_should(catalogue: Catalogue) -> None:
    assert catalogue.every("menu.help") == {"❓ 帮助", "❓ Help"}


def test_a_text_key_as_a_value_is_read_in_the_readers_language(catalogue: Catalogue) -> None:
    role, level = TextRef("role.officer"), TextRef("level.grid")
    assert catalogue.get("zh", "staff.wrong_level", role=role, level=level, code="JN03") == (
        "网格员的区域应是网格，JN03 不是。"
    )
    assert catalogue.get("en", "staff.area_needed", role=role, level=level) == (
        "A grid officer needs an area: the code of a grid."
    )


def test_sub_words_are_read_in_either_language(catalogue: Catalogue) -> None:
    choices = ("list", "add", "remove", "leader", "group")
    assert catalogue.sub_command("volunteers", "添加", choices) == "add"
    assert catalogue.sub_command("volunteers", "ADD", choices) == "add"
    assert catalogue.sub_command("volunteers", " 组长 ", choices) == "leader"
    assert catalogue.sub_command("volunteers", "删掉", choices) is None
    assert catalogue.sub_command("volunteers", "添加", ("remove",)) is None  # not a choice
    assert catalogue.sub_command("period", "今日", ("today", "week")) == "today"  # one of two


def test_a_commands_sub_words_never_name_two_things(catalogue: Catalogue) -> None:
    """Each `<command>.word_<name>` is one word per language, and no word of a command names
    two of its sub-commands (in the same language or across them)."""
    words: dict[str, dict[str, str]] = {}
    for key in catalogue.texts["zh"]:
        command, found, name = key.partition(".word_")
        if not found:
            continue
        for texts in catalogue.texts.values():
            for word in texts[key].lower().split("|"):
                assert word, key
                assert " " not in word, key
                owner = words.setdefault(command, {}).setdefault(word, name)
                assert owner == name, f"{command}: {word!r} names {owner} and {name}"
    commands = {"volunteers", "stations", "duties", "categories", "invite", "dogs", "map", "period"}
    assert commands <= set(words)
