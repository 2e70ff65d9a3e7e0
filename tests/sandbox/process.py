"""`python -m bot sandbox` in a process of its own, as a newcomer starts it."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READY = "sandbox ready: open "


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sandbox_env(**extra: str) -> dict[str, str]:
    """The environment without a bot token or a webhook (the sandbox refuses a real token)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    env.update(extra)
    return env


@dataclass
class SandboxProcess:
    process: subprocess.Popen[str]
    url: str = ""
    started: float = field(default_factory=time.monotonic)
    ready_after: float = 0.0
    lines: queue.Queue[str] = field(default_factory=queue.Queue)

    def read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_ready(self, within: float) -> str:
        deadline = time.monotonic() + within
        seen = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            seen.append(line)
            if line.startswith(READY):
                self.url = line.removeprefix(READY).split()[0]
                self.ready_after = time.monotonic() - self.started
                return self.url
        raise AssertionError(f"the sandbox was not ready within {within}s: {''.join(seen)}")


@contextlib.contextmanager
def sandbox_process(
    data: Path, port: int, *args: str, within: float = 90
) -> Iterator[SandboxProcess]:
    """Start the command, wait for its address, and stop it with Ctrl-C (SIGINT) afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "sandbox", "--port", str(port), "--data", str(data), *args],
        cwd=ROOT,
        env=sandbox_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    running = SandboxProcess(process)
    threading.Thread(target=running.read, daemon=True).start()
    try:
        running.wait_ready(within)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
