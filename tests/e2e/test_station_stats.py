"""/stats shows the micro fire stations' figures of three minutes under the cases' figures: the
street's stations for an admin, only their community's for a lead (October of
tests/stats_seed.py, with fires answered at known times)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.wiring import App
from bot.stations import register
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.client import TestUser
from storage.models import Case, FireResponse
from tests.e2e.test_stats import ADMIN, LEAD, street
from tests.stats_seed import at

__all__ = ["street"]  # the seeded October, with a lead of C1

EAST = "东风站：火警 2 次 · 首个出发 中位 0分40秒，P90 1分20秒 · 到场 中位 2分50秒，P90 4分10秒 · 3 分钟内到场 50%"
WEST = "西湖站：火警 1 次 · 首个出发 中位 —，P90 — · 到场 中位 —，P90 — · 3 分钟内到场 0%"


async def _fires(app: App) -> None:
    """东风站 (C1) answered the fires of 10-02 09:00 (出发 40 s, on site 170 s) and 10:00
    (80 s, 250 s); 西湖站 (C2) was alerted to the fire of 10-31 20:00 and nobody set off."""
    east = await register.save_station(app.database, "东风站", "C1", 30.60, 104.00)
    west = await register.save_station(app.database, "西湖站", "C2", 30.60, 104.01)
    await register.save_station(app.database, "空站", "C2", 30.60, 104.02)
    answered = (
        (at(10, 2, 9), east.id, 40, 170),
        (at(10, 2, 10), east.id, 80, 250),
        (at(10, 31, 20), west.id, None, None),
    )
    async with app.database.transaction() as session:
        for submitted, station_id, start, arrive in answered:
            case_id = await session.scalar(select(Case.id).where(Case.submitted_at == submitted))
            assert case_id is not None
            alerted = submitted + timedelta(seconds=10)
            session.add(
                FireResponse(
                    case_id=case_id,
                    station_id=station_id,
                    alerted_at=alerted,
                    escalate_at=alerted + timedelta(seconds=60),
                    started_at=alerted + timedelta(seconds=start) if start else None,
                    arrived_at=alerted + timedelta(seconds=arrive) if arrive else None,
                )
            )


async def _stats_text(user: TestUser, command: str) -> str:
    """Every text message of the answer, up to the chart."""
    await user.send(command)
    texts = []
    while (message := await user.next_message(15)).photo is None:
        texts.append(message.text or "")
    return "\n\n".join(texts)


async def test_stations_on_stats(emulator: TelegramEmulator, street: App) -> None:
    await _fires(street)
    admin = emulator.user(ADMIN, "街道管理员")
    text = await _stats_text(admin, "/stats 2026-10")
    assert f"— 微型消防站 —\n{EAST}\n空站：本时段没有火警\n{WEST}" in text
    assert text.index("— 按类别 —") < text.index("— 微型消防站 —")

    lead = emulator.user(LEAD, "社区张")
    own = await _stats_text(lead, "/stats 2026-10")
    assert f"— 微型消防站 —\n{EAST}" in own
    assert "西湖站" not in own
    assert "空站" not in own
    grid = await _stats_text(lead, "/stats 2026-10 C1-2")  # a grid: its community's stations
    assert EAST in grid
