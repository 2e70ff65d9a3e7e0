"""The update journal's two writes that every update makes: the claim and the mark "handled"
(with a conversation's state, as the report steps write it), timed alone on a fresh SQLite
database, in CPU of this process (the driver's thread included) per call.

N updates (default 3,000) are claimed, then marked handled, after 200 warm-up updates.
`BENCH_DATABASE_URL` runs it on another database (an empty PostgreSQL one, say).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncConnection

from bench.common import report
from storage import migrate
from storage import updates as journal
from storage.db import Database
from storage.models import ConversationState
from storage.upsert import upsert

BOT = 1
WARM_UP = 200
# A text message as Telegram sends it, about the size of a resident's.
PAYLOAD = {
    "update_id": 1,
    "message": {
        "message_id": 5,
        "date": 1_700_000_000,
        "chat": {"id": 700_001, "type": "private", "first_name": "居民"},
        "from": {"id": 700_001, "is_bot": False, "first_name": "居民", "language_code": "zh"},
        "text": "3 号楼一单元楼道堆满纸箱，消防通道被堵",
    },
}


async def _state(connection: AsyncConnection) -> None:
    values = {"key": "700001:700001", "state": "Report:photos", "data": {"case_id": 1}}
    await upsert(connection, ConversationState, values, ["key"])


async def _claims_and_marks(database: Database, first: int, count: int) -> tuple[float, float]:
    started = time.process_time()
    for update_id in range(first, first + count):
        await journal.claim(database, BOT, update_id, PAYLOAD)
    claimed = time.process_time()
    for update_id in range(first, first + count):
        await journal.mark_handled(database, BOT, update_id, also=_state)
    return claimed - started, time.process_time() - claimed


async def run(size: int | None) -> None:
    count = size or 3_000
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite+aiosqlite:///{Path(folder) / 'j.db'}"
        database = Database(url)
        try:
            await migrate.upgrade(database)
            await _claims_and_marks(database, 1, WARM_UP)
            claim_s, mark_s = await _claims_and_marks(database, WARM_UP + 1, count)
        finally:
            await database.dispose()
    report(
        "journal",
        {
            "updates": count,
            "claim_cpu_us": round(claim_s * 1e6 / count),
            "mark_handled_cpu_us": round(mark_s * 1e6 / count),
            "per_update_cpu_us": round((claim_s + mark_s) * 1e6 / count),
        },
    )
