"""A resident reports a problem: every way in, every step, and the case it becomes."""

from __future__ import annotations

from sqlalchemy import select

from app.wiring import App
from bot.people import staff
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.client import BotMessage, TestUser
from sandbox.emulator.files import make_image
from storage.models import CaseEvent, CaseMedia, CaseStatus, Role
from tests.e2e.flows import FIRE, FIRE_EXIT, HERE, all_cases, choose, step
from tests.e2e.test_desk import card_of
from tests.e2e.test_report_bad_input import add_areas


async def test_full_report_with_an_album_and_a_location(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    user = emulator.user(5001, "林")
    categories = await user.ask("/report")
    assert categories.text == "请选择问题类型："
    assert categories.buttons[0] == ["🔥 火灾隐患"]
    question = await step(user, categories, "🔥 火灾隐患")  # the steps edit one message
    assert question.text == "🔥 火灾隐患\n\n是哪一类火灾隐患？"
    describe = await step(user, question, FIRE_EXIT)
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
    summary = await user.next_message()  # the place keyboard stays until the report ends
    assert summary.text is not None
    assert "消防通道、楼道被堵" in summary.text
    assert "照片：2 张" in summary.text
    assert "📍 已发送定位" in summary.text
    done = await choose(user, summary, "✅ 提交")
    assert done.text is not None
    assert "已登记，案件编号 MQ-000001" in done.text
    assert done.keyboard[0][0] == "📝 我要报事"  # the report is over: the menu is back

    [case] = await all_cases(bot_app)
    assert case.accept_due_at is not None  # the resident is promised the card's deadline
    due = case.accept_due_at.astimezone(bot_app.settings.tz).strftime("%H:%M")
    assert f"{due}前受理" in done.text
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


async def test_a_whole_report_takes_six_messages_from_the_bot(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    """Category, two quick questions, the dog's number skipped, words, an album, a location,
    submit: the tapped steps edit one message in place; the bot's messages are the prompts
    that need a new one."""
    user = emulator.user(5010, "简")
    steps = await user.ask("/report")
    await step(user, steps, "🐕 犬只问题")
    await step(user, steps, "犬吠扰民")
    await step(user, steps, "2–3 只")
    assert "登记号" in (steps.text or "")
    await step(user, steps, "⏭ 跳过，不知道登记号")
    assert "描述问题" in (steps.text or "")
    photos = await user.ask("两只狗每天半夜在门口叫")
    await user.send_album([make_image(color=(3, 3, 3)), make_image(color=(4, 4, 4))])
    count = await user.next_message()
    await emulator.wait_for(lambda: "已收到 2 张" in (count.text or ""), 5)
    where = await choose(user, count, "✅ 完成")
    await user.send_location(*HERE)
    summary = await user.next_message()
    done = await choose(user, summary, "✅ 提交")
    assert "已登记" in (done.text or "")
    await user.expect_silence(0.5)
    sent = [record for kind, record in user.chat.events if kind == "sent"]
    assert [record["message_id"] for record in sent] == [
        message.message_id for message in (steps, photos, count, where, summary, done)
    ]


async def test_a_photo_with_a_caption_starts_a_report(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    user = emulator.user(5002, "吴")
    await user.send_photo(make_image(), caption="小区门口垃圾堆了三天没人清理")
    assert (await user.next_message()).text == "收到照片，我们来登记这个问题。"
    categories = await user.next_message()
    question = await step(user, categories, "🧹 市容环境")
    where = await choose(user, question, "垃圾堆放")  # description and photo: given already
    assert "问题在哪里" in (where.text or "")
    await user.send_location(*HERE)
    summary = await user.next_message()
    assert "小区门口垃圾堆了三天没人清理" in (summary.text or "")
    assert "照片：1 张" in (summary.text or "")
    await choose(user, summary, "✅ 提交")
    [case] = await all_cases(bot_app)
    assert (case.status, case.description) == (CaseStatus.NEW, "小区门口垃圾堆了三天没人清理")


async def test_a_location_starts_a_report(emulator: TelegramEmulator, bot_app: App) -> None:
    user = emulator.user(5003, "Ann", language_code="en")
    await user.send_location(*HERE)
    assert (await user.next_message()).text == "Location received. Let's file this problem."
    categories = await user.next_message()
    assert categories.buttons[1] == ["🐕 Dogs (stray, nuisance, unleashed, bite)"]
    question = await step(user, categories, "🐕 Dogs (stray, nuisance, unleashed, bite)")
    await step(user, question, "Barking nuisance")
    assert question.text == "🐕 Dogs (stray, nuisance, unleashed, bite)\n\nHow many dogs?"
    await step(user, question, "Two or three")
    describe = await step(user, question, "⏭ Skip, I don't know it")
    photos = await user.ask("Two dogs barking all night at the gate")
    summary = await step(user, photos, "Skip, no photos")  # the place is known already
    assert "Photos: 0" in (summary.text or "")
    done = await choose(user, summary, "✅ Submit")
    assert "Filed as case MQ-000001" in (done.text or "")
    assert describe.text is not None


async def test_danger_now_asks_the_place_first_and_alerts_at_once(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    """A bite: 119/110 at once, then the place, then the case is filed and alerted, before any
    words or photos; those follow and are added to the case."""
    await add_areas(bot_app)
    officer, lead = emulator.user(5101, "网格员"), emulator.user(5102, "社区长")
    await staff.appoint(bot_app.database, 5101, Role.OFFICER, "JN01-1")
    await staff.appoint(bot_app.database, 5102, Role.LEAD, "JN01")
    user = emulator.user(5004, "郑")
    message = await user.ask("/report")
    await step(user, message, "🐕 犬只问题")
    await step(user, message, "有人被咬伤")
    assert message.html is not None
    assert "<code>110</code>" in message.html
    assert "<code>119</code>" in message.html
    assert not message.buttons
    where = await user.next_message()
    assert "请先告诉我们地点" in (where.text or "")
    assert where.keyboard[0] == ["📍 发送我的位置"]
    await user.send_location(30.5005, 104.0005)
    done = await user.next_message()
    assert "已作为紧急情况登记" in (done.text or "")
    assert done.keyboard[0][0] == "📝 我要报事"
    [case] = await all_cases(bot_app)
    assert (case.status, case.urgent, case.description or None) == (CaseStatus.NEW, True, None)
    assert case.accept_due_at is not None
    assert case.submitted_at is not None
    # A bite is urgent in deadlines too: 30 minutes, not the dog category's 2 hours.
    assert (case.accept_due_at - case.submitted_at).total_seconds() == 30 * 60
    cards = [await card_of(officer), await card_of(lead)]
    assert all("🚨" in (card.text or "") for card in cards)

    await user.send("狗是小区里那只黄色的大狗，现在还在 3 号楼门口")
    assert "已补充到案件" in ((await user.next_message()).text or "")
    await user.send_album([make_image(color=(5, 5, 5)), make_image(color=(6, 6, 6))])
    assert "已补充到案件" in ((await user.next_message()).text or "")
    await user.expect_silence(0.5)  # one answer for the album
    relayed = await officer.next_message()
    assert "黄色的大狗" in (relayed.text or relayed.caption or "")
    async with bot_app.database.sessions() as session:
        stages = (await session.scalars(select(CaseMedia.stage))).all()
    assert sorted(stages) == ["info", "info"]
    menu = await user.ask("📋 我的案件")  # a menu button is not an addition
    assert "我的案件" in (menu.text or "")


async def test_danger_now_with_a_typed_address_and_back(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    await add_areas(bot_app)
    user = emulator.user(5005, "王")
    message = await user.ask("/report")
    await step(user, message, FIRE)
    await step(user, message, "正在冒烟或起火")
    await user.next_message()  # where, first
    back = await user.ask("⬅ 返回")  # back to the question: the danger answer is undone
    assert back.markup == {"remove_keyboard": True}
    question = await user.next_message()
    assert "是哪一类火灾隐患" in (question.text or "")
    [draft] = await all_cases(bot_app)
    assert not draft.urgent
    await step(user, question, "正在冒烟或起火")
    await user.next_message()
    communities = await user.ask("幸福路 8 号 2 栋")
    assert "地址已记录" in (communities.text or "")
    done = await choose(user, communities, "幸福社区")
    assert "已作为紧急情况登记" in (done.text or "")
    [case] = await all_cases(bot_app)
    assert (case.status, case.urgent, case.address) == (CaseStatus.NEW, True, "幸福路 8 号 2 栋")


async def test_back_edit_anonymous_and_cancel(emulator: TelegramEmulator, bot_app: App) -> None:
    user = emulator.user(5006, "冯")
    categories = await user.ask("/report")
    question = await step(user, categories, FIRE)
    describe = await step(user, question, FIRE_EXIT)
    again = await step(user, describe, "⬅ 返回")
    assert again.text == "🔥 火灾隐患\n\n是哪一类火灾隐患？"
    await step(user, again, "灭火器过期或缺失")
    summary = await fill_report_from_description(user)
    await user.press(summary, "✏️ 修改")
    await emulator.wait_for(lambda: summary.buttons and summary.buttons[0] == ["类型", "描述"], 5)
    prompt = await step(user, summary, "描述")
    assert "当前描述" in (prompt.text or "")
    summary = await user.ask("灭火器都过期两年了")
    assert "灭火器都过期两年了" in (summary.text or "")
    assert "灭火器过期或缺失" in (summary.text or "")
    await user.press(summary, "🙈 匿名：否")
    await emulator.wait_for(lambda: "匿名：是" in (summary.text or ""), 5)
    [draft] = await all_cases(bot_app)
    assert draft.anonymous
    assert draft.status == CaseStatus.DRAFT
    cancelled = await user.ask("/cancel")
    assert cancelled.text == "已取消，草稿已删除。"
    assert await all_cases(bot_app) == []
    assert (await user.ask("/cancel")).text == "现在没有需要取消的操作。"


async def fill_report_from_description(user: TestUser) -> BotMessage:
    photos = await user.ask("楼里的灭火器过期了")
    await user.press(photos, "跳过，没有照片")
    await user.next_message()
    await user.send("幸福路 8 号 2 栋")  # a typed address; no areas configured
    return await user.next_message()


async def test_a_report_survives_leaving_and_coming_back(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    user = emulator.user(5007, "褚")
    categories = await user.ask("/report")
    await step(user, categories, FIRE)
    await user.ask("/help")
    resumed = await user.ask("/report")
    assert resumed.text == "您还有一条没写完的反映，我们接着填写："
    assert (await user.next_message()).text == "🔥 火灾隐患\n\n是哪一类火灾隐患？"


async def test_a_quick_second_message_sees_the_step_the_first_reached(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    """Two texts sent at once: the second waits for the first's update to finish, and then finds
    the report at the photo step (the first's state is written before the person's next update
    reads it), so it is not taken for the description again."""
    user = emulator.user(5009, "钱")
    question = await step(user, await user.ask("/report"), FIRE)
    describe = await step(user, question, FIRE_EXIT)
    assert "描述问题" in (describe.text or "")
    await user.send("楼道里堆满了纸箱")
    await user.send("还有电动车在充电")
    first, second = await user.next_messages(2)
    assert "现场照片" in (first.text or "")
    assert (second.text or "").startswith("请发送现场照片")  # the photo step's own hint
