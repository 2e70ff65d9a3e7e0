"""Crash trials at every step: the real bot process stopped dead (as by kill -9) at each
statement and each call to Telegram of a resident's Submit and of an officer's Accept, then
restarted (tests/crash_trials.py). Counts the trials whose case or messages were missing after
the restart (target 0) and the messages that came twice (at most one a trial).

`--size N` runs at most N points of each action, spread over its steps (default: every step).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import Stopwatch, report
from tests.crash_trials import Verdict, trial

ACTIONS = ("submit", "accept")


def _points(steps: int, size: int | None) -> list[int]:
    if size is None or size >= steps:
        return list(range(1, steps + 1))
    return sorted({1 + round(i * (steps - 1) / max(size - 1, 1)) for i in range(size)})


async def run(size: int | None) -> None:
    figures: dict[str, Any] = {}
    with Stopwatch() as watch, tempfile.TemporaryDirectory() as folder:
        for action in ACTIONS:
            counted = await trial(Path(folder) / f"{action}-count", action, 0)
            verdicts: list[Verdict] = []
            for at in _points(counted.steps, size):
                verdict = await trial(Path(folder) / f"{action}-{at}", action, at)
                verdicts.append(verdict)
                print(verdict, file=sys.stderr, flush=True)
            figures[action] = {
                "steps": counted.steps,
                "trials": len(verdicts),
                "crashed": sum(v.crashed for v in verdicts),
                "missing": [(v.at, v.missing) for v in verdicts if v.missing],
                "repeated": {v.at: v.repeated for v in verdicts if v.repeated},
                "over_one_repeat": sum(len(v.repeated) > 1 for v in verdicts),
            }
    figures["seconds"] = round(watch.seconds, 1)
    report("crash", figures)
