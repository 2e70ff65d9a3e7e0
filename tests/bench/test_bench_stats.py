"""`python -m bench stats` as the README runs it, on a small size: its JSON line and its clean-up."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import asyncpg
import pytest

from tests.conftest import POSTGRES_ADMIN_URL

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
ROOT = Path(__file__).resolve().parents[2]
CASES = 2000
FIELDS = {
    "seed_s",
    "stats_month_s",
    "stats_community_s",
    "daily_s",
    "ranking_s",
    "export_rows",
    "export_xlsx_s",
    "export_csv_s",
    "export_rows_per_s",
    "export_peak_rss_mb",
}


async def test_stats_benchmark_prints_its_figures_and_drops_its_database() -> None:
    env = {**os.environ, "BENCH_POSTGRES_DSN": POSTGRES_ADMIN_URL}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench", "stats", "--size", str(CASES),
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()

    figures = json.loads(out.decode().strip().splitlines()[-1])
    assert figures["bench"] == "stats"
    assert figures["cases"] == CASES
    assert figures.keys() >= FIELDS
    assert all(figures[name] >= 0 for name in FIELDS)
    # Cases are filed evenly over 365 days: a month of 28 to 31 days holds 153 to 170 of 2000
    assert 153 - 2 <= figures["export_rows"] <= 170 + 2
    assert figures["export_peak_rss_mb"] > 0

    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        left = await admin.fetchval(
            "SELECT count(*) FROM pg_database WHERE datname = $1", f"minqing_bench_{process.pid}"
        )
    finally:
        await admin.close()
    assert left == 0
