"""A resident reports a problem: every way in, every step, and the case it becomes."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from storage.models import Case, CaseEvent, CaseMedia, CaseStatus
from tests.emulator import TelegramEmulator
from tests.emulator.client import BotMessage, TestUser
from tests.emulator.files import make_image

FIRE_EXIT = "消防通道、楼道被堵"


async def cases_of(app: App) -> list[Case]:
    async with app.database.sessions() as session:
        return list((await session.scalars(select(Case).order_by(Case.id))).all())


async def choose(user: TestUser, message: BotMessage, button: str) -> BotMessage:
    await user.press(message, button)
    return await user.next_message()


async def test_full_report_with_an_album_and_a_location(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    user = emulator.user(5001, "林")
    categories = await user.ask("/report")
    assert categories.text == "请选择问题类型："
    assert categories.buttons[0] == ["🔥 火灾隐患"]
    question = await choose(user, categories, "🔥 火灾隐患")
    assert question.text == "是哪一类火灾隐患？"
    describe = await choose(user, question, FIRE_EXIT)
    assert "描述问题" in (describe.text or "")
    photos = await user.ask("3 号楼一单元楼道堆满纸箱，消防通道被堵")
    assert "现场照片" in (photos.text or "")
    await user.send_album([make_image(color=(1, 1, 1)), make_image(color=(2, 2, 2))])
    count = await user.next_message()
    assert "已收到 1 张" in (count.text or "")
    await emulator.wait_for(lambda: "已收到 2 张" in (count.text or ""), 5)  # the album edits it
    where = await choose(user, count, "✅ 完成")
    assert "问题在哪里" in (where.text or "")
    assert where.keyboard[0] == ["📍 发送我的位置"]
    await user.send_location(30.6586, 104.0648)
    assert (await user.next_message()).text == "位置已记录。"
    summary = await user.next_message()
    assert summary.text is not None
    assert "消防通道、楼道被堵" in summary.text
    assert "照片：2 张" in summary.text
    assert "📍 已发送定位" in summary.text
    done = await choose(user, summary, "✅ 提交")
    assert done.text is not None
    assert "已登记，案件编号 MQ-000001" in done.text
    assert "30 分钟内受理" in done.text

    [case] = await cases_of(bot_app)
    assert case.status == CaseStatus.NEW
    assert case.number == "MQ-000001"
    assert case.answers == {"kind": "blocked_exit"}
    assert case.accept_due_at is not None
    assert case.submitted_at is not None
    assert (case.accept_due_at - case.submitted_at).total_seconds() == 30 * 60
    assert not case.urgent
    async with bot_app.database.sessions() as session:
        events = (await session.scalars(select(CaseEvent))).all()
        media = (await session.scalars(select(CaseMedia))).all()
    assert [(e.action, e.from_status, e.to_status) for e in events] == [("submit", "draft", "new")]
    assert len(media) == 2
    await bot_app.media.wait()
    async with bot_app.database.sessions() as session:
        stored = (await session.scalars(select(CaseMedia.sha256))).all()
    assert all(stored)
    assert len(set(stored)) == 2
    files = list((bot_app.settings.media_dir).rglob("*"))
    assert sorted(p.name for p in files if p.is_file()) == sorted(stored)
