"""`python -m bench journal` as the README runs it, on a small size: its JSON line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_journal_bench_prints_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "journal", "--size", "30"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["bench"] == "journal"
    assert figures["updates"] == 30
    assert figures["claim_cpu_us"] > 0
    assert figures["mark_handled_cpu_us"] > 0
    assert figures["per_update_cpu_us"] == pytest.approx(
        figures["claim_cpu_us"] + figures["mark_handled_cpu_us"], abs=1
    )
