"""Telegram's flood limits, enforced by sliding windows and answered with 429 retry_after.

A paid broadcast message (`allow_paid_broadcast`) is counted in a window of its own, up to
`paid_per_s` (Telegram's 1000), outside the free 30 a second; the per-chat limits hold for it
too."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limits:
    """Messages allowed per window; Telegram's published figures by default."""

    global_per_s: int = 30
    chat_per_s: int = 1
    group_per_min: int = 20
    paid_per_s: int = 1000


@dataclass
class RateLimiter:
    limits: Limits
    clock: Callable[[], float] = time.monotonic
    _global: deque[float] = field(default_factory=deque)
    _paid: deque[float] = field(default_factory=deque)
    _chats: dict[int, deque[float]] = field(default_factory=dict)
    _groups: dict[int, deque[float]] = field(default_factory=dict)

    def acquire(
        self, chat_id: int, is_group: bool, count: int = 1, *, paid: bool = False
    ) -> int | None:
        """Count `count` messages into `chat_id`; None if allowed, else seconds to wait."""
        now = self.clock()
        if paid:
            windows = [(self._paid, 1.0, self.limits.paid_per_s)]
        else:
            windows = [(self._global, 1.0, self.limits.global_per_s)]
        windows.append((self._chats.setdefault(chat_id, deque()), 1.0, self.limits.chat_per_s))
        if is_group:
            windows.append(
                (self._groups.setdefault(chat_id, deque()), 60.0, self.limits.group_per_min)
            )
        wait = 0.0
        for stamps, span, allowed in windows:
            while stamps and stamps[0] <= now - span:
                stamps.popleft()
            if len(stamps) + count > allowed:
                oldest = stamps[len(stamps) + count - allowed - 1] if stamps else now
                wait = max(wait, oldest + span - now)
        if wait > 0:
            return max(1, math.ceil(wait))
        for stamps, _, _ in windows:
            stamps.extend([now] * count)
        return None
