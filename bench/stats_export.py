"""One format of the register exported `runs` times in a process of its own, so that its peak
resident memory is the export's: `python -m bench.stats_export URL FORMAT FIRST LAST RUNS`.

Prints one JSON line: rows, the median seconds, the process's resident memory just before the
first export (interpreter, imports, the database engine) and its peak resident memory from then
on (Linux's VmHWM, reset just before the first export).
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import sys
import tempfile
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import Stopwatch
from bot.register import export
from bot.register.export import Format, Register
from bot.texts import Catalogue
from bot.timing import periods
from storage.db import Database

TZ = ZoneInfo("Asia/Shanghai")


async def measure(url: str, kind: Format, first: date, last: date, runs: int) -> dict:
    database = Database(url)
    register = Register(periods.between(first, last, TZ), None, with_reporters=True)
    t = Catalogue.load("zh").translator("zh")
    async with database.sessions() as session:  # connect before the baseline is taken
        await session.connection()
    before = _memory_mb("VmRSS")
    _reset_peak()
    seconds, rows = [], 0
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(runs):
            with Stopwatch() as watch:
                written = await export.write(
                    database, register, t, TZ, {kind: Path(folder) / f"register.{kind.value}"}
                )
            rows = written.cases
            seconds.append(watch.seconds)
    await database.dispose()
    return {
        "rows": rows,
        "seconds": statistics.median(seconds),
        "rss_before_mb": before,
        "peak_rss_mb": _memory_mb("VmHWM"),
    }


def _reset_peak() -> None:
    """Linux starts the peak (VmHWM) again from the memory resident now."""
    Path("/proc/self/clear_refs").write_text("5")


def _memory_mb(field: str) -> float:
    """A memory figure of this process from Linux's /proc (VmRSS: resident now, VmHWM: peak).

    Not `getrusage`: its peak survives fork and exec, so it would be the parent's peak."""
    kib = re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    if kib is None:
        raise RuntimeError(f"{field} not in /proc/self/status")
    return round(int(kib[1]) / 1024, 1)


def main(argv: list[str]) -> None:
    url, kind, first, last, runs = argv
    figures = asyncio.run(
        measure(url, Format(kind), date.fromisoformat(first), date.fromisoformat(last), int(runs))
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
