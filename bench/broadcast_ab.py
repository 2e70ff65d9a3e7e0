"""Two versions of the sender compared interleaved: `python -m bench.broadcast_ab ROOT_A
ROOT_B [--size N] [--rounds R]` runs `bench broadcast`'s raw run (the real process, its
throttle lifted, the emulator in a process of its own) with the bot's code from checkout A,
then B, R times (default 3) over N recipients (default 10,000): one JSON line a run, with the
load average, so a change is measured before and after under the same load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
from pathlib import Path

from bench.broadcast import _bot_run, _seed


async def main(roots: list[str], size: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        seeded = folder / "seed.db"
        await _seed(seeded, size)
        for round_ in range(rounds):
            for root in roots:
                os.environ["BENCH_BOT_ROOT"] = root
                run = await _bot_run(seeded, folder, size, limits="off", paid=True, raw=True)
                line = {"round": round_, "root": root, "sent": run["sent"]}
                line |= {key: run[key] for key in ("duplicates", "unique", "cpu_s", "load")}
                line |= {key: round(run[key], 1) for key in ("per_s", "per_cpu_s")}
                print(json.dumps(line), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.broadcast_ab", description=__doc__)
    parser.add_argument("roots", nargs=2)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.roots, args.size, args.rounds))
