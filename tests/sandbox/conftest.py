"""The sandbox as `python -m bot sandbox` composes it, in the test's event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from app.sandbox import Sandbox
from sandbox.page import Page, address, serve


@dataclass
class Running:
    sandbox: Sandbox
    page: Page
    url: str
    http: aiohttp.ClientSession

    async def post(self, path: str, **kwargs: object) -> aiohttp.ClientResponse:
        async with self.http.post(self.url + path, **kwargs) as response:  # type: ignore[arg-type]
            await response.read()
            return response


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    """The sandbox (no demo cases, for speed) and its page on a free loopback port."""
    sandbox = Sandbox(tmp_path / "sandbox", cases=0)
    await sandbox.start()
    page = Page(sandbox)
    page.attach()
    runner: web.AppRunner = await serve(page, 0)
    try:
        async with aiohttp.ClientSession() as http:
            yield Running(sandbox, page, address(runner), http)
    finally:
        page.close()
        await runner.cleanup()
        await sandbox.stop()
