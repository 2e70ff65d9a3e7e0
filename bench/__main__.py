"""`python -m bench NAME [--size N]`: run one benchmark; the last line printed is its JSON."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import sys

BENCHMARKS = {
    "broadcast": "a notice to N subscribers (default 100,000) within Telegram's limits, and raw",
    "budget": "the shared send budget's Redis calls per message with N replies waiting in each"
    " of 1, then 2 processes (default 100)",
    "crash": "the real process stopped dead at every step of a Submit and an Accept, then"
    " restarted: what was owed and missing (--size N: N points of each)",
    "dogs": "the rabies lapse reminders of one day found and queued over N registered dogs"
    " (default 100,000) on PostgreSQL",
    "journal": "the update journal's claim and 'handled' mark, CPU per call over N updates"
    " (default 3,000)",
    "migration": "how long writes wait while migration 0013 builds its indexes over N cases"
    " (default 1,000,000) on PostgreSQL",
    "pipeline": "N residents file whole reports (default 200), against a bare echo bot",
    "routing": "point lookups against N grids (default 10,000)",
    "scaleout": "N residents' reports, officers and a notice against 1 then 2 webhook processes"
    " on PostgreSQL and Redis behind a proxy (default 100)",
    "trust": "the README's promises probed through the real process: leaks across N report pairs"
    " (default 50), forged buttons, a 20 s database lock, floods at 15 and 3 messages/s",
    "sandbox": "python -m bot sandbox: seconds to ready (3 runs), and ms from the bot's send to"
    " the browser's server-sent event over N answers (default 30)",
    "stats": "/stats, the red/black list and the register over N cases (default 1,000,000)"
    " on PostgreSQL",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "name",
        choices=sorted(BENCHMARKS),
        help="; ".join(f"{k}: {v}" for k, v in BENCHMARKS.items()),
    )
    parser.add_argument("--size", type=int, help="the benchmark's main size (see its module)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    module = importlib.import_module(f"bench.{args.name}")
    asyncio.run(module.run(args.size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
