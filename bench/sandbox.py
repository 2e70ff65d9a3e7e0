"""The sandbox: how soon `python -m bot sandbox` is ready, and how soon the browser sees what the
bot sent (goals: 10 s, 200 ms).

Readiness: the command started as a newcomer starts it (a month of demo cases, 60), from the
process's start to its "sandbox ready" line, then to the page answering, over 3 runs.
Latency: the sandbox in this process and its page in headless Chromium (tests/sandbox's
browser, the system's chromium); a resident types N times (default 30) a word the bot answers;
each answer is timed from the moment the emulator receives the bot's sendMessage (the bot's
send) to the moment the page's EventSource handler has it (`window.sandboxSeen`, the same
machine's clock).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from app.sandbox import Sandbox
from bench.common import percentile, report
from sandbox.emulator.server import Chat
from sandbox.page import Page, address, serve
from tests.sandbox.process import free_port, sandbox_process
from tests.sandbox.test_browser import chromium

HELP = "❓ 帮助"


def readiness(runs: int = 3) -> list[float]:
    took = []
    for _ in range(runs):
        with (
            tempfile.TemporaryDirectory() as folder,
            sandbox_process(Path(folder), free_port()) as running,
            urllib.request.urlopen(running.url + "/", timeout=10),  # noqa: S310  (loopback)
        ):
            took.append(time.monotonic() - running.started)
    return took


async def latency(count: int) -> list[float]:
    with tempfile.TemporaryDirectory() as folder:
        sandbox = Sandbox(Path(folder))
        await sandbox.start()
        page = Page(sandbox)
        page.attach()
        runner = await serve(page, 0)
        sent: dict[int, float] = {}

        def on_record(what: str, chat: Chat, record: dict[str, Any]) -> None:
            if what == "sent" and chat.id == sandbox.phones[0].chat_id:
                sent[record["message_id"]] = time.time() * 1000

        sandbox.emulator.listeners.append(on_record)
        browser = await asyncio.to_thread(chromium)
        try:
            await asyncio.to_thread(browser.get, address(runner))
            await _until(lambda: browser.execute_script("return document.querySelector('.phone')"))
            for _ in range(count):
                before = len(sent)
                await page.host.emulator.user(sandbox.phones[0].chat_id, "王芳").send(HELP)
                await _until(lambda: len(sent) > before)  # noqa: B023
                await asyncio.sleep(0.3)  # one answer at a time
            seen = await asyncio.to_thread(browser.execute_script, "return window.sandboxSeen")
        finally:
            await asyncio.to_thread(browser.quit)
            page.close()
            await runner.cleanup()
            await sandbox.stop()
    arrived = {m: at for at, kind, phone, m in seen if kind == "message" and phone == "resident_zh"}
    return [arrived[m] - at for m, at in sent.items() if m in arrived]


async def _until(check: Any, within: float = 20) -> None:
    async with asyncio.timeout(within):
        while not check():  # noqa: ASYNC110  (a browser's state: nothing to await)
            await asyncio.sleep(0.01)


async def run(size: int | None) -> None:
    ready = await asyncio.to_thread(readiness)
    delays = await latency(size or 30)
    report(
        "sandbox",
        {
            "ready_s": [round(s, 2) for s in ready],
            "answers": len(delays),
            "send_to_browser_p50_ms": round(percentile(delays, 0.5), 1),
            "send_to_browser_p99_ms": round(percentile(delays, 0.99), 1),
            "send_to_browser_max_ms": round(max(delays), 1),
        },
    )
