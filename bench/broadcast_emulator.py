"""The emulator of `bench broadcast`, in a process of its own, so the bot's process (or the bare
loop's) has a CPU to itself on a two-core machine.

`python -m bench.broadcast_emulator LIMITS N`: starts the emulator (LIMITS `telegram`:
Telegram's limits, 30/s free and 1000/s paid; `off`: none) with N recipients' chats from
FIRST_ID on, and prints `{"url", "token"}`. Then one JSON line for each line read: `status`
gives the messages delivered to recipients so far (`sent`, `paid`, `retry_after_429`, and the
emulator's monotonic clock at the `first_at` and `last_at` of them, comparable across processes
on Linux); `final` the same with `unique` and `duplicates` over every call; `stop` ends it.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from typing import Any

from sandbox.emulator import TelegramEmulator
from sandbox.emulator.limits import Limits

FIRST_ID = 20_000_000
AUTHOR_ID = 900_001


class Tally:
    """What reached recipients, counted over the calls that came since the last look."""

    def __init__(self, emu: TelegramEmulator) -> None:
        self.emu = emu
        self.seen = 0
        self.sent = 0
        self.first_at: float | None = None
        self.last_at: float | None = None

    def status(self) -> dict[str, Any]:
        calls = self.emu.calls
        for call in calls[self.seen :]:
            if _delivered(call):
                self.sent += 1
                self.first_at = self.first_at or call.at
                self.last_at = call.at
        self.seen = len(calls)
        return {
            "sent": self.sent,
            "paid": self.emu.paid_sent,
            "retry_after_429": self.emu.retry_after_sent,
            "first_at": self.first_at,
            "last_at": self.last_at,
        }

    def final(self) -> dict[str, Any]:
        figures = self.status()
        counts = Counter(int(c.params["chat_id"]) for c in self.emu.calls if _delivered(c))
        figures["sent"] = sum(counts.values())  # exact: a call still running was counted as sent
        figures["unique"] = len(counts)
        figures["duplicates"] = figures["sent"] - len(counts)
        return figures


def _delivered(call: Any) -> bool:
    return (
        call.method == "sendMessage"
        and call.status == 200
        and int(call.params["chat_id"]) >= FIRST_ID
    )


async def main(limits: str, recipients: int) -> None:
    async with TelegramEmulator(limits=Limits() if limits == "telegram" else None) as emu:
        emu.user(AUTHOR_ID, "admin")
        for n in range(recipients):
            emu.user(FIRST_ID + n, f"r{n}")
        tally = Tally(emu)
        print(json.dumps({"url": emu.url, "token": emu.token}), flush=True)
        while (line := (await asyncio.to_thread(sys.stdin.readline)).strip()) not in ("stop", ""):
            figures = tally.final() if line == "final" else tally.status()
            print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
