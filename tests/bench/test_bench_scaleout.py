"""`python -m bench scaleout` as it is run: two webhook processes on PostgreSQL and Redis behind
the proxy, a small mixed load, and the figures of its JSON line."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]
ROOT = Path(__file__).resolve().parents[2]


async def test_two_processes_handle_every_report_once_and_send_every_notice_once() -> None:
    env = {**os.environ, "BENCH_PROCESSES": "2", "PYTHONPATH": str(ROOT)}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench",
        "scaleout",
        "--size",
        "10",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), 120)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, err.decode()[-3000:]
    figures = json.loads(out.decode().strip().splitlines()[-1])
    run = figures["two_processes"]
    assert figures["bench"] == "scaleout"
    assert figures["reports_handled_once"] is True
    assert figures["deliveries_sent_once"] is True
    assert figures["one_process_updates_per_s"] is None  # only K=2 was asked for
    assert figures["speedup"] is None
    assert figures["two_processes_updates_per_s"] == run["updates_per_s"] > 0
    assert run["processes"] == 2
    assert run["reports"] == 10
    assert run["officer_actions"] == 5  # every 2nd of 10 accepted
    # 10 reports × 8 updates, 5 accepts × 1, 3 resolves (residents 0, 4, 8) × 4
    assert run["updates"] == 97
    assert run["notice_recipients"] == 50
    assert run["reports_per_s"] > 0
    assert run["seconds"] > 0
    first, second = run["forwarded_per_process"]
    assert first > 0  # the proxy shared the updates
    assert second > 0
    assert first + second >= 97
