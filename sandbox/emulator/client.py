"""The people side of the emulator: a test acts as a user or a group and reads the bot's answers."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from sandbox.emulator.files import make_image

if TYPE_CHECKING:
    from sandbox.emulator.server import Chat, TelegramEmulator

_callback_ids = itertools.count(1)
_media_groups = itertools.count(1)


class BotMessage:
    """A message the bot sent, as the person sees it now (edits included)."""

    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record

    def __repr__(self) -> str:
        return f"BotMessage({self.message_id}, {self.text or self.caption!r})"

    @property
    def message_id(self) -> int:
        return int(self.record["message_id"])

    @property
    def chat_id(self) -> int:
        return int(self.record["chat"]["id"])

    @property
    def text(self) -> str | None:
        return self.record.get("text")

    @property
    def html(self) -> str | None:
        """The text or caption as the bot sent it, with its HTML tags."""
        return self.record.get("_html")

    @property
    def caption(self) -> str | None:
        return self.record.get("caption")

    @property
    def photo(self) -> list[dict[str, Any]] | None:
        return self.record.get("photo")

    @property
    def document(self) -> dict[str, Any] | None:
        return self.record.get("document")

    @property
    def location(self) -> dict[str, Any] | None:
        return self.record.get("location")

    @property
    def venue(self) -> dict[str, Any] | None:
        return self.record.get("venue")

    @property
    def media_group_id(self) -> str | None:
        return self.record.get("media_group_id")

    @property
    def deleted(self) -> bool:
        return bool(self.record.get("_deleted"))

    @property
    def markup(self) -> dict[str, Any] | None:
        """The keyboard sent with the message: inline (current) or reply keyboard."""
        return self.record.get("reply_markup") or self.record.get("_markup")

    @property
    def buttons(self) -> list[list[str]]:
        """Inline button texts, row by row."""
        rows = (self.record.get("reply_markup") or {}).get("inline_keyboard", [])
        return [[button["text"] for button in row] for row in rows]

    @property
    def keyboard(self) -> list[list[str]]:
        """Reply keyboard button texts, row by row (the menu under the input field)."""
        rows = (self.record.get("_markup") or {}).get("keyboard", [])
        return [[button["text"] for button in row] for row in rows]

    def callback_data(self, text: str) -> str:
        for row in (self.record.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button["text"] == text:
                    return str(button["callback_data"])
        raise KeyError(f"no button {text!r} in {self.buttons}")


class _Speaker:
    """Shared by users and groups: building messages from someone into a chat."""

    emu: TelegramEmulator
    chat: Chat
    last_update_id: int = 0
    _read: int = 0

    def _user_message(self, sender: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        message = {
            "message_id": self.chat.new_message_id(),
            "date": int(self.emu.clock()),
            "chat": self.chat.info,
            "from": sender,
            **content,
        }
        self.chat.messages[message["message_id"]] = message
        self.emu.record("posted", self.chat, message)
        return message

    async def next_message(self, timeout: float = 15.0) -> BotMessage:
        """The next message the bot sent into this chat (waiting up to `timeout`)."""
        try:
            record = await self.emu.wait_for(
                lambda: self.chat.sent[self._read] if len(self.chat.sent) > self._read else None,
                timeout,
            )
        except TimeoutError:
            raise AssertionError(
                f"the bot sent nothing to chat {self.chat.id} within {timeout}s"
            ) from None
        self._read += 1
        return BotMessage(record)

    async def next_messages(self, count: int, timeout: float = 15.0) -> list[BotMessage]:
        return [await self.next_message(timeout) for _ in range(count)]

    async def expect_silence(self, within: float = 0.5) -> None:
        """Assert that the bot sends nothing more into this chat for `within` seconds."""
        try:
            message = await self.next_message(within)
        except AssertionError:
            return
        raise AssertionError(f"the bot sent {message!r} unexpectedly")

    async def post(self, sender: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        """A message from `sender` into this chat, delivered to the bot as an update."""
        message = self._user_message(sender, content)
        self.last_update_id = (await self.emu.push_update({"message": message}))["update_id"]
        return message

    async def press_as(self, sender: dict[str, Any], record: dict[str, Any], data: str) -> str:
        """`sender` presses a button with `data` under the message `record` of this chat;
        returns the callback query id."""
        query_id = f"cq{next(_callback_ids)}"
        query = {
            "id": query_id,
            "from": sender,
            "message": {k: v for k, v in record.items() if not k.startswith("_")},
            "chat_instance": f"ci{self.chat.id}",
            "data": data,
        }
        self.emu.callback_queries[query_id] = query
        await self.emu.push_update({"callback_query": query})
        return query_id


def text_content(text: str) -> dict[str, Any]:
    content: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        command = text.split()[0]
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return content


class TestUser(_Speaker):
    """A person in a private chat with the bot."""

    __test__ = False  # not a pytest class

    def __init__(
        self,
        emu: TelegramEmulator,
        user_id: int,
        first_name: str = "张三",
        language_code: str | None = "zh-hans",
        username: str | None = None,
        last_name: str | None = None,
    ) -> None:
        self.emu = emu
        self.user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            self.user["last_name"] = last_name
        if username:
            self.user["username"] = username
        if language_code:
            self.user["language_code"] = language_code
        chat_info = {"id": user_id, "type": "private", "first_name": first_name}
        self.chat = emu.ensure_chat(chat_info)
        self._events_read = 0

    @property
    def id(self) -> int:
        return int(self.user["id"])

    # --- sending -----------------------------------------------------------------------------

    async def send(self, text: str, forwarded_from: TestUser | None = None) -> dict[str, Any]:
        """A text message; `/command` texts carry the bot_command entity."""
        content = text_content(text)
        if forwarded_from is not None:
            content["forward_origin"] = {
                "type": "user",
                "date": int(self.emu.clock()) - 60,
                "sender_user": forwarded_from.user,
            }
        return await self.post(self.user, content)

    async def send_sticker(self) -> dict[str, Any]:
        stored = self.emu.files.add(b"RIFF\x00WEBP", "sticker", mime_type="image/webp")
        sticker = {
            **stored.as_file(),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return await self.post(self.user, {"sticker": sticker})

    async def send_photo(
        self,
        data: bytes | None = None,
        caption: str | None = None,
        media_group_id: str | None = None,
    ) -> dict[str, Any]:
        sizes = self.emu.files.add_photo(data or make_image())
        content: dict[str, Any] = {"photo": [s.as_photo_size() for s in sizes]}
        if caption:
            content["caption"] = caption
        if media_group_id:
            content["media_group_id"] = media_group_id
        return await self.post(self.user, content)

    async def send_album(
        self, images: list[bytes], caption: str | None = None
    ) -> list[dict[str, Any]]:
        """Several photos sharing one media_group_id, each its own update, as Telegram does."""
        group_id = f"{self.id}{next(_media_groups):06d}"
        return [
            await self.send_photo(data, caption if index == 0 else None, group_id)
            for index, data in enumerate(images)
        ]

    async def send_document(
        self, data: bytes, file_name: str, mime_type: str, caption: str | None = None
    ) -> dict[str, Any]:
        stored = self.emu.files.add(data, "document", file_name=file_name, mime_type=mime_type)
        document = {**stored.as_file(), "file_name": file_name, "mime_type": mime_type}
        content: dict[str, Any] = {"document": document}
        if caption:
            content["caption"] = caption
        return await self.post(self.user, content)

    async def send_video(self, data: bytes = b"\x00\x00\x00\x18ftypmp42") -> dict[str, Any]:
        stored = self.emu.files.add(data, "video", mime_type="video/mp4")
        video = {**stored.as_file(), "width": 640, "height": 480, "duration": 3}
        return await self.post(self.user, {"video": video})

    async def send_voice(self, data: bytes = b"OggS\x00voice") -> dict[str, Any]:
        stored = self.emu.files.add(data, "voice", mime_type="audio/ogg")
        return await self.post(self.user, {"voice": {**stored.as_file(), "duration": 2}})

    async def send_location(self, latitude: float, longitude: float) -> dict[str, Any]:
        return await self.post(
            self.user, {"location": {"latitude": latitude, "longitude": longitude}}
        )

    async def send_live_location(
        self, latitude: float, longitude: float, live_period: int = 3600
    ) -> dict[str, Any]:
        """The first message of a live location shared for `live_period` seconds."""
        location = {"latitude": latitude, "longitude": longitude, "live_period": live_period}
        return await self.post(self.user, {"location": location})

    async def move_live_location(
        self,
        message: dict[str, Any],
        latitude: float,
        longitude: float,
        edit_date: int | None = None,
    ) -> dict[str, Any]:
        """The live location `message` moves: Telegram sends its edit as an edited_message,
        dated `edit_date` (Unix seconds; now by default, earlier for a queued backlog)."""
        edited = {
            **message,
            "location": {**message["location"], "latitude": latitude, "longitude": longitude},
            "edit_date": int(self.emu.clock()) if edit_date is None else edit_date,
        }
        self.chat.messages[edited["message_id"]] = edited
        self.emu.record("posted", self.chat, edited)
        self.last_update_id = (await self.emu.push_update({"edited_message": edited}))["update_id"]
        return edited

    async def send_venue(
        self, latitude: float, longitude: float, title: str, address: str
    ) -> dict[str, Any]:
        location = {"latitude": latitude, "longitude": longitude}
        venue = {"location": location, "title": title, "address": address}
        return await self.post(self.user, {"venue": venue, "location": location})

    async def send_contact(
        self, phone_number: str, first_name: str | None = None
    ) -> dict[str, Any]:
        contact = {
            "phone_number": phone_number,
            "first_name": first_name or self.user["first_name"],
            "user_id": self.id,
        }
        return await self.post(self.user, {"contact": contact})

    async def press(self, message: BotMessage, text: str) -> str:
        """Press the inline button `text` of `message`; returns the callback query id."""
        return await self.press_data(message, message.callback_data(text))

    async def press_data(self, message: BotMessage | int, data: str) -> str:
        """Press a button with any callback data (e.g. forged, or from an old message)."""
        record = (
            message.record
            if isinstance(message, BotMessage)
            else (
                self.chat.messages.get(message)
                or {"message_id": message, "date": 0, "chat": self.chat.info}
            )
        )
        return await self.press_as(self.user, record, data)

    async def block(self) -> None:
        """Block the bot: Telegram then sends my_chat_member and refuses messages with 403."""
        self.emu.blocked.add(self.id)
        await self._member_change("member", "kicked")

    async def unblock(self) -> None:
        self.emu.blocked.discard(self.id)
        await self._member_change("kicked", "member")

    async def _member_change(self, old: str, new: str) -> None:
        bot = self.emu.bot_user
        await self.emu.push_update(
            {
                "my_chat_member": {
                    "chat": self.chat.info,
                    "from": self.user,
                    "date": int(self.emu.clock()),
                    "old_chat_member": {
                        "status": old,
                        "user": bot,
                        **({"until_date": 0} if old == "kicked" else {}),
                    },
                    "new_chat_member": {
                        "status": new,
                        "user": bot,
                        **({"until_date": 0} if new == "kicked" else {}),
                    },
                }
            }
        )

    # --- reading -----------------------------------------------------------------------------

    async def next_event(self, timeout: float = 15.0) -> tuple[str, BotMessage]:
        """The next sent, edited or deleted event in this chat."""
        record = await self.emu.wait_for(
            lambda: (
                self.chat.events[self._events_read]
                if len(self.chat.events) > self._events_read
                else None
            ),
            timeout,
        )
        self._events_read += 1
        return record[0], BotMessage(record[1])

    async def callback_answer(self, query_id: str, timeout: float = 15.0) -> dict[str, Any]:
        """What the bot answered to a button press (text and show_alert)."""
        return await self.emu.wait_for(lambda: self.emu.callback_answers.get(query_id), timeout)

    async def ask(self, text: str, timeout: float = 15.0) -> BotMessage:
        """Send `text` and return the bot's next message."""
        await self.send(text)
        return await self.next_message(timeout)


class TestGroup(_Speaker):
    """A group chat (e.g. a department group) where the bot is a member."""

    __test__ = False

    def __init__(self, emu: TelegramEmulator, chat_id: int, title: str) -> None:
        self.emu = emu
        self.chat = emu.ensure_chat({"id": chat_id, "type": "supergroup", "title": title})

    async def send(self, user: TestUser, text: str) -> dict[str, Any]:
        return await self.post(user.user, text_content(text))
