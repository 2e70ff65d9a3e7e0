"""Phone and ID card numbers in what residents wrote are masked; other numbers are kept."""

from __future__ import annotations

import pytest

from bot.cases.masking import mask_personal_numbers


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("电话13812345678联系我", "电话***********联系我"),
        ("call 138 1234 5678 please", "call *** **** **** please"),
        ("+86-138-1234-5678", "+**-***-****-****"),
        ("座机 028-87654321，或(0571)8765 4321", "座机 ***-********，或(****)**** ****"),
        ("身份证 11010519491231002X 张", "身份证 ****************** 张"),
        ("old id 110105491231002", "old id ***************"),
        ("门卫 87654321", "门卫 ********"),
    ],
)
def test_personal_numbers_are_masked(text: str, masked: str) -> None:
    assert mask_personal_numbers(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "3号楼2单元501室，堆了20多个纸箱",
        "case MQ-000123 again",
        "since 2026-11-24 10:30, 3 dogs",
        "2026.11.24",
        "",
    ],
)
def test_other_numbers_are_kept(text: str) -> None:
    assert mask_personal_numbers(text) == text
