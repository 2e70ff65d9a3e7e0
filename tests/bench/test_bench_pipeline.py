"""The pipeline bench's same-calls echo: its plan of calls per update, and how it spreads them."""

from __future__ import annotations

import math

import pytest

from bench.pipeline import _calls_plan, _spread


def test_the_plan_leaves_out_start_up_calls_and_splits_by_answer() -> None:
    calls = {
        "deleteWebhook": 1,
        "getMe": 1,
        "setMyCommands": 2,
        "sendMessage": 500,
        "editMessageReplyMarkup": 50,
        "answerCallbackQuery": 200,
    }
    objects, trues = _calls_plan(calls, 400)
    assert objects == pytest.approx(550 / 400)
    assert trues == pytest.approx(200 / 400)


@pytest.mark.parametrize("rate", [0.0, 0.5, 1.0, 1.375, 2.24])
def test_any_run_of_updates_makes_the_calls_at_the_plans_rate(rate: float) -> None:
    made = [_spread(rate, n) for n in range(1000)]
    assert sum(made) == math.floor(1000 * rate)
    assert set(made) <= {math.floor(rate), math.ceil(rate)}  # evenly, never in bursts
    assert sum(made[100:180]) in {math.floor(80 * rate), math.ceil(80 * rate)}
