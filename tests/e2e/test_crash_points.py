"""The real process killed at points of a Submit and of an Accept (the first step, the middle,
the last), then restarted: what was owed all arrives, at most one message comes twice.
`python -m bench crash` runs every point."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.crash_trials import trial

pytestmark = pytest.mark.slow


@pytest.mark.timeout(400)  # four trials of a real process each, on a busy 2-core machine
@pytest.mark.parametrize("action", ["submit", "accept"])
async def test_killed_at_any_step_a_restart_delivers_what_was_owed(
    action: str, tmp_path: Path
) -> None:
    counted = await trial(tmp_path / "count", action, 0)
    assert counted.ok, counted
    assert counted.steps > 10  # statements and calls to Telegram were counted
    for at in sorted({1, counted.steps // 2, counted.steps}):
        verdict = await trial(tmp_path / f"at-{at}", action, at)
        assert verdict.crashed, verdict
        assert verdict.ok, verdict
