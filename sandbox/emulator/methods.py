"""Bot API methods of the emulator, with Telegram's JSON shapes, limits and error texts."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from sandbox.emulator.markup import ParseError, render
from sandbox.emulator.server import Chat
from sandbox.emulator.wire import ApiError

if TYPE_CHECKING:
    from sandbox.emulator.server import TelegramEmulator

Method = Callable[["TelegramEmulator", dict[str, Any]], Awaitable[Any]]
METHODS: dict[str, Method] = {}

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
DOWNLOAD_LIMIT = 20 * 1024 * 1024
ALBUM_MIN, ALBUM_MAX = 2, 10


def method(name: str) -> Callable[[Method], Method]:
    def register(func: Method) -> Method:
        METHODS[name.lower()] = func
        return func

    return register


# --- helpers -------------------------------------------------------------------------------


def _target_chat(emu: TelegramEmulator, params: dict[str, Any], count: int = 1) -> Chat:
    raw = params.get("chat_id")
    if raw is None:
        raise ApiError(400, "Bad Request: chat_id is empty")
    try:
        chat_id = int(raw)
    except ValueError:
        raise ApiError(400, "Bad Request: chat not found") from None
    chat = emu.chats.get(chat_id)
    if chat is None:
        raise ApiError(400, "Bad Request: chat not found")
    if chat_id in emu.blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    paid = params.get("allow_paid_broadcast") is True
    if emu.limiter is not None:
        wait = emu.limiter.acquire(chat_id, chat.is_group, count, paid=paid)
        if wait is not None:
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
    if paid:
        emu.paid_sent += count  # billed or not, as Telegram would: the flag was used
    return chat


def _rendered(text: str, parse_mode: str | None, limit: int, what: str) -> str:
    try:
        plain = render(text, parse_mode)
    except ParseError as error:
        raise ApiError(400, f"Bad Request: {error}") from None
    if len(plain) > limit:
        raise ApiError(400, f"Bad Request: {what} is too long")
    return plain


def _check_markup(markup: dict[str, Any] | None) -> None:
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if not button.get("text"):
                raise ApiError(
                    400, "Bad Request: text buttons are unallowed in the inline keyboard"
                )


def _new_message(
    emu: TelegramEmulator, chat: Chat, params: dict[str, Any], content: dict[str, Any]
) -> dict[str, Any]:
    markup = params.get("reply_markup")
    _check_markup(markup)
    message: dict[str, Any] = {
        "message_id": chat.new_message_id(),
        "date": int(emu.clock()),
        "chat": chat.info,
        "from": emu.bot_user,
        **content,
    }
    if markup and "inline_keyboard" in markup:
        message["reply_markup"] = markup
    record = {**message, "_markup": markup, "_params": params}
    chat.messages[message["message_id"]] = record
    chat.sent.append(record)
    emu.record("sent", chat, record)
    return message


def _caption(params: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
    caption = params.get("caption")
    if caption:
        content["caption"] = _rendered(
            caption, params.get("parse_mode"), CAPTION_LIMIT, "message caption"
        )
        content["_html"] = caption
    return content


def _input_file(emu: TelegramEmulator, params: dict[str, Any], value: Any, kind: str) -> Any:
    """An uploaded file (attach://name or the field itself) or a known file_id."""
    if isinstance(value, str) and value.startswith("attach://"):
        value = params.get(value.removeprefix("attach://"))
    if isinstance(value, dict) and "upload" in value:
        return value
    if isinstance(value, str):
        stored = emu.files.get(value)
        if stored is None:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        return stored
    raise ApiError(400, f"Bad Request: there is no {kind} in the request")


def _photo_sizes(emu: TelegramEmulator, source: Any) -> list[dict[str, Any]]:
    if isinstance(source, dict):
        return [size.as_photo_size() for size in emu.files.add_photo(source["upload"])]
    return [source.as_photo_size()]


def _document(emu: TelegramEmulator, source: Any) -> dict[str, Any]:
    if isinstance(source, dict):
        source = emu.files.add(
            source["upload"],
            "document",
            file_name=source.get("filename"),
            mime_type=source.get("content_type"),
        )
    document = source.as_file()
    if source.file_name:
        document["file_name"] = source.file_name
    if source.mime_type:
        document["mime_type"] = source.mime_type
    return document


def _find_message(
    emu: TelegramEmulator, params: dict[str, Any], action: str
) -> tuple[Chat, dict[str, Any]]:
    chat = emu.chats.get(int(params.get("chat_id") or 0))
    message_id = int(params.get("message_id") or 0)
    if chat is None:
        raise ApiError(400, "Bad Request: chat not found")
    record = chat.messages.get(message_id)
    if record is None:
        raise ApiError(400, f"Bad Request: message to {action} not found")
    return chat, record


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if not key.startswith("_")}


NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply "
    "markup are exactly the same as a current content and reply markup of the message"
)


def _edit(emu: TelegramEmulator, params: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    chat, record = _find_message(emu, params, "edit")
    markup = params.get("reply_markup")
    _check_markup(markup)
    changes["reply_markup"] = markup if markup and "inline_keyboard" in markup else None
    current = {key: record.get(key) for key in changes}
    if current == changes:
        raise ApiError(400, NOT_MODIFIED)
    record.update(changes)
    if record.get("reply_markup") is None:
        record.pop("reply_markup", None)
    record["edit_date"] = int(emu.clock())
    emu.record("edited", chat, record)
    return _public(record)


# --- methods -------------------------------------------------------------------------------


@method("getMe")
async def get_me(emu: TelegramEmulator, params: dict[str, Any]) -> Any:
    return emu.bot_user


@method("getUpdates")
async def get_updates(emu: TelegramEmulator, params: dict[str, Any]) -> Any:
    return await emu.get_updates(params)


@method("setWebhook")
async def set_webhook(emu: TelegramEmulator, params: dict[str, Any]) -> Any:
    url = params.get("url") or ""
    if url and not url.startswith(("http://127.", "https://", "http://localhost")):
        raise ApiError(400, "Bad Request: bad webhook: HTTPS url must be provided for webhook")
    emu.set_webhook(params)
    return True


@method("deleteWebhook")
async def delete_webhook(emu: TelegramEmulator, params: dict[str, Any]) -> Any:
    emu.delete_webhook(params)
    return True


@method("getWebhookInfo")
async def get_webhook_info(emu: TelegramEmulator, params: dict[str, Any]) -> Any:
    hook = emu.webhook
    info: dict[str, Any] = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(emu._pending),
    }
    if hook and hook.allowed_updates:
        info["allowed_updates"] = hook.allowed_updates
    return info


@method("sendMessage")
async def send_message(emu: TelegramEmulator, params: dict[str, Any]) -> Any:
    text = params.get("text") or ""
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    plain = _rendered(text, params.get("parse_mode"), MESSAGE_LIMIT, "message")
    chat = _target_chat(emu, params)
    return _new_message(emu, chat, params, {"text": plain, "_html": text})


@method("sendPhoto")
async def send_photo(emu: TelegramEmulator, params: dict[str, Any]) -> Any:
    source = _input_file(emu, params, params.get("photo"), "photo")
    content = _caption(params, {})
    chat = _target_chat(emu, params)
    return _new_message(emu, chat, params, {"photo": _photo_sizes(emu, source), **content})


@method("sendDocument")
async def send_document(emu: TelegramEmulator, params: dict[str, Any]) -> Any:
    source = _input_file(emu, params, params.get("document"), "document")
    content = _caption(params, {})
    chat = _target_chat(emu, params)
    return _new_message(emu, chat, params, {"document": _document(emu, source), **content})


@method("sendMediaGroup")
async def send_media_group(emu: TelegramEmulator, params: dict[str, Any]) -> Any:
    media = params.get("media") or []
    if not ALBUM_MIN <= len(media) <= ALBUM_MAX:
        raise ApiError(400, "Bad Request: wrong number of media items: must be 2-10")
    items = []
    for item in media:
        source = _input_file(emu, params, item.get("media"), item.get("type", "photo"))
        content = _caption(item, {})
        if item.get("type") == "document":
            content["document"] = _document(emu, source)
        else:
            content["photo"] = _photo_sizes(emu, source)
        items.append(content)
    chat = _target_chat(emu, params, count=len(items))
    group_id = f"album{len(emu.calls)}{int(time.time() * 1000)}"
    return [_new_message(emu, chat, params, {**c, "media_group_id": group_id}) for c in items]


@method("sendLocation")
async def send_location(emu: TelegramEmulator, params: dict[str, Any]) -> Any:
    location = {"latitude": float(params["latitude"]), "longitude": float(params["longitude"])}
    chat = _target_chat(emu, params)
    return _new_message(emu, chat, params, {"location": location})


@method("sendVenue")
async def send_venue(emu: TelegramEmulator, params: dict[str, Any]) -> Any:
    location = {"latitude": float(params["latitude"]), "longitude": float(params["longitude"])}
    venue = {
        "location": location,
        "title": params.get("title", ""),
        "address": params.get("address", ""),
    }
    chat = _target_chat(emu, params)
    return _new_message(emu, chat, params, {"venue": venue, "location": location})


@method("sendChatAction")
async def send_chat_action(emu: TelegramEmulator, params: dict[str, Any]) -> Any:
    _target_chat(emu, params, count=0)
    return True


@method("editMessageText")
async def edit_message_text(emu: TelegramEmulator, params: dict[str, Any]) -> Any:
    text = params.get("text") or ""
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    plain = _rendered(text, params.get("parse_mode"), MESSAGE_LIMIT, "message")
    return _edit(emu, params, {"text": plain, "_html": text})


@method("editMessageCaption")
async def edit_message_caption(emu: TelegramEmulator, params: dict[str, Any]) -> Any:
    return _edit(emu, params, _caption(params, {"caption": None, "_html": None}))


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(emu: TelegramEmulator, params: dict[str, Any]) -> Any:
    return _edit(emu, params, {})


@method("deleteMessage")
async def delete_message(emu: TelegramEmulator, params: dict[str, Any]) -> Any:
    chat, record = _find_message(emu, params, "delete")
    del chat.messages[record["message_id"]]
    record["_deleted"] = True
    emu.record("deleted", chat, record)
    return True


@method("answerCallbackQuery")
async def answer_callback_query(emu: TelegramEmulator, params: dict[str, Any]) -> Any:
    query_id = str(params.get("callback_query_id") or "")
    if query_id not in emu.callback_queries or query_id in emu.callback_answers:
        raise ApiError(
            400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
        )
    text = params.get("text") or ""
    if len(text) > 200:
        raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
    answer = {"text": text, "show_alert": bool(params.get("show_alert"))}
    emu.callback_answers[query_id] = answer
    chat = emu.chats.get(int(emu.callback_queries[query_id]["message"]["chat"]["id"]))
    if chat is not None:
        emu.record("answered", chat, {"callback_query_id": query_id, **answer})
    return True


@method("getFile")
async def get_file(emu: TelegramEmulator, params: dict[str, Any]) -> Any:
    stored = emu.files.get(str(params.get("file_id") or ""))
    if stored is None:
        raise ApiError(400, "Bad Request: invalid file_id")
    if len(stored.data) > DOWNLOAD_LIMIT:
        raise ApiError(400, "Bad Request: file is too big")
    return {**stored.as_file(), "file_path": stored.path}


def _scope_key(params: dict[str, Any]) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    key = scope["type"] + (f":{scope['chat_id']}" if "chat_id" in scope else "")
    return key, params.get("language_code") or ""


@method("setMyCommands")
async def set_my_commands(emu: TelegramEmulator, params: dict[str, Any]) -> Any:
    commands = params.get("commands") or []
    for command in commands:
        if not (1 <= len(command["command"]) <= 32 and 1 <= len(command["description"]) <= 256):
            raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
    emu.commands[_scope_key(params)] = commands
    return True


@method("getMyCommands")
async def get_my_commands(emu: TelegramEmulator, params: dict[str, Any]) -> Any:
    return emu.commands.get(_scope_key(params), [])


@method("deleteMyCommands")
async def delete_my_commands(emu: TelegramEmulator, params: dict[str, Any]) -> Any:
    emu.commands.pop(_scope_key(params), None)
    return True


@method("logOut")
async def log_out(emu: TelegramEmulator, params: dict[str, Any]) -> Any:
    return True


@method("close")
async def close(emu: TelegramEmulator, params: dict[str, Any]) -> Any:
    return True
