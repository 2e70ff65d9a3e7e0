"""The Bot API's wire format: how a call's parameters arrive and how an error is answered."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def status_text(status: int) -> str:
    return {
        429: "Too Many Requests: retry after 1",
        403: "Forbidden: bot was blocked by the user",
        400: "Bad Request",
        502: "Bad Gateway",
    }.get(status, "Internal Server Error")


JSON_FIELDS = {
    "reply_markup",
    "media",
    "entities",
    "caption_entities",
    "allowed_updates",
    "commands",
    "scope",
    "link_preview_options",
    "reply_parameters",
    "results",
    "permissions",
}


async def read_params(request: web.Request) -> dict[str, Any]:
    """Bot API parameters from a query string, a form, a multipart form or a JSON body."""
    params: dict[str, Any] = dict(request.query)
    if request.method == "POST":
        if request.content_type == "application/json":
            params.update(await request.json())
            return params
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = {
                    "upload": value.file.read(),
                    "filename": value.filename,
                    "content_type": value.content_type,
                }
            else:
                params[key] = value
    for key, value in list(params.items()):
        if isinstance(value, str):
            if key in JSON_FIELDS:
                params[key] = json.loads(value)
            elif value in ("true", "false"):
                params[key] = value == "true"
    return params
