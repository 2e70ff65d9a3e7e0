"""What a phone draws of a message: the parts of the emulator's record a Telegram client shows."""

from __future__ import annotations

from typing import Any


def message_view(record: dict[str, Any]) -> dict[str, Any]:
    """A message (the bot's or a person's) as the page draws it, edits included."""
    bot = bool(record.get("from", {}).get("is_bot"))
    view: dict[str, Any] = {
        "id": record["message_id"],
        "bot": bot,
        "date": record.get("date", 0),
        "edited": "edit_date" in record,
        "text": record.get("text"),
        "caption": record.get("caption"),
    }
    if bot and _is_html(record) and record.get("_html"):
        view["html"] = record["_html"]  # Telegram's few tags; the page keeps only those
    if record.get("media_group_id"):
        view["album"] = str(record["media_group_id"])
    view.update(_media(record))
    if bot:
        view.update(_keyboards(record))
    return view


def _is_html(record: dict[str, Any]) -> bool:
    mode = (record.get("_params") or {}).get("parse_mode") or ""
    return str(mode).upper() == "HTML"


def _media(record: dict[str, Any]) -> dict[str, Any]:
    media: dict[str, Any] = {}
    if photo := record.get("photo"):
        media["photo"] = photo[-1]["file_id"]  # the largest size, last as Telegram sends them
    if document := record.get("document"):
        media["document"] = {
            "file_id": document["file_id"],
            "name": document.get("file_name") or "file",
            "mime": document.get("mime_type") or "application/octet-stream",
        }
    if location := record.get("location"):
        media["location"] = {"lat": location["latitude"], "lon": location["longitude"]}
    if venue := record.get("venue"):
        media["venue"] = {"title": venue.get("title", ""), "address": venue.get("address", "")}
    for kind in ("sticker", "video", "voice", "contact"):
        if kind in record:
            media["other"] = kind
    return media


def _keyboards(record: dict[str, Any]) -> dict[str, Any]:
    """The buttons under the message, and the menu under the input field it sets or removes."""
    found: dict[str, Any] = {}
    inline = (record.get("reply_markup") or {}).get("inline_keyboard")
    if inline:
        found["inline"] = [
            [
                {key: button[key] for key in ("text", "callback_data", "url") if key in button}
                for button in row
            ]
            for row in inline
        ]
    markup = record.get("_markup") or {}
    if "keyboard" in markup:
        found["keyboard"] = [
            [
                {
                    "text": button["text"] if isinstance(button, dict) else str(button),
                    "location": bool(isinstance(button, dict) and button.get("request_location")),
                    "contact": bool(isinstance(button, dict) and button.get("request_contact")),
                }
                for button in row
            ]
            for row in markup["keyboard"]
        ]
    elif markup.get("remove_keyboard"):
        found["keyboard"] = []
    return found


def inline_data(record: dict[str, Any]) -> set[str]:
    """The callback data of the message's buttons as they are now (edits included)."""
    rows = (record.get("reply_markup") or {}).get("inline_keyboard", [])
    return {button["callback_data"] for row in rows for button in row if "callback_data" in button}
