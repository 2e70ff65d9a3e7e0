"""`python -m bot run` with the throttle's limits lifted, for `bench broadcast`'s raw run: the
real process (settings from the environment, migrations, polling, the clock, the sender loop)
whose outgoing throttle lets everything through at once. Everything else is as production runs
it. With BENCH_PROFILE=FILE the process runs under cProfile and writes its stats to FILE.
"""

from __future__ import annotations

import cProfile
import os
import sys
import time

from app.lean_aiogram import defer_aiogram_types

UNLIMITED = 1_000_000


def main() -> int:
    defer_aiogram_types()  # as `python -m bot` does, before anything imports aiogram
    from app import cli, wiring
    from bot.telegram.throttle import Throttle

    def unlimited(*_: object) -> Throttle:
        return Throttle(UNLIMITED, paid_rate=UNLIMITED, global_per_s=UNLIMITED, chat_interval_s=0)

    wiring.outgoing_throttle = unlimited  # type: ignore[assignment]
    if not (profile := os.environ.get("BENCH_PROFILE")):
        return cli.main(["run"])
    profiler = cProfile.Profile(time.thread_time)  # CPU of the main thread: load-robust
    try:
        return profiler.runcall(cli.main, ["run"])
    finally:
        profiler.dump_stats(profile)


if __name__ == "__main__":
    sys.exit(main())
