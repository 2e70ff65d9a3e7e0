"""A small round-robin reverse proxy on loopback, in front of several webhook bot processes.

It forwards each update's body and Telegram's secret header to the next backend in turn and
answers with that backend's status, as nginx would (deploy/nginx.conf); an unreachable backend
answers 502, so the emulator delivers the update again, as Telegram would.
"""

from __future__ import annotations

import itertools

import aiohttp
from aiohttp import web

from app.webhook import SECRET_HEADER

FORWARD_TIMEOUT_S = 60


class RoundRobinProxy:
    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self.forwarded = [0] * len(backends)
        self._turn = itertools.cycle(range(len(backends)))
        self._http: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def __aenter__(self) -> RoundRobinProxy:
        app = web.Application()
        app.router.add_post("/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        self._http = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=FORWARD_TIMEOUT_S),
            connector=aiohttp.TCPConnector(limit=0),
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._http is not None
        index = next(self._turn)
        self.forwarded[index] += 1
        headers = {"Content-Type": request.content_type}
        if secret := request.headers.get(SECRET_HEADER):
            headers[SECRET_HEADER] = secret
        try:
            async with self._http.post(
                self.backends[index] + request.path, data=await request.read(), headers=headers
            ) as answer:
                return web.Response(
                    status=answer.status,
                    body=await answer.read(),
                    content_type=answer.content_type,
                )
        except (aiohttp.ClientError, TimeoutError):
            return web.Response(status=502)
