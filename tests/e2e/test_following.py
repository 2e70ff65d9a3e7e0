"""After filing: /mycases, following a nearby duplicate, each step told, fixed or not, rating,
and auto-close. The officer side is driven through the lifecycle functions, by an admin: these
cases lie in no grid (the street has no areas here), and only the street's admins act on those."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.clock import auto_close
from app.wiring import App
from bot.cases import lifecycle as cases
from bot.cases.lifecycle import Action
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.files import make_image
from storage.models import Case, CaseEvent, CaseFollower, CaseStatus, Role
from storage.types import utcnow
from tests.e2e.flows import (
    all_cases,
    choose,
    file_report,
    fill_report,
    make_staff,
    officer_does,
    step,
)


async def test_a_nearby_duplicate_is_followed_not_filed_again(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    first = emulator.user(7001, "甲")
    second = emulator.user(7002, "乙")
    private = "张三家门口，电话 13812345678，身份证 110101199003071234"
    await file_report(first, text=private)
    [original] = await all_cases(bot_app)

    summary = await fill_report(second, place=(30.6587, 104.0649))  # about 14 m away
    question = await step(second, summary, "✅ 提交")  # the offer, in place
    # Only what the street would publish: no words, photo or number of the first resident.
    assert question.photo is None
    assert question.text is not None
    assert "MQ-000001" in question.text
    assert "火灾隐患" in question.text
    for secret in ("张三", "13812345678", "110101199003071234"):
        assert secret not in question.text
    assert question.buttons == [["👍 就是这个，关注它"], ["不是，是另一个问题"]]
    done = await choose(second, question, "👍 就是这个，关注它")
    assert "MQ-000001" in (done.text or "")
    assert [c.id for c in await all_cases(bot_app)] == [original.id]  # the draft is gone
    async with bot_app.database.sessions() as session:
        followers = (await session.scalars(select(CaseFollower.person_id))).all()
    assert len(followers) == 1

    listing = await second.ask("/mycases")
    assert listing.buttons[0][0].startswith("👁 MQ-000001")
    followed = await choose(second, listing, listing.buttons[0][0])  # a follower's view
    assert "MQ-000001" in (followed.text or "")
    assert "张三" not in (followed.text or "")
    assert "13812345678" not in (followed.text or "")
    languages = await second.ask("/language")
    await choose(second, languages, "English")  # notices come in each person's language

    officer = await make_staff(bot_app, 800001, Role.ADMIN)
    await officer_does(bot_app, original.id, Action.ACCEPT, officer)
    told_first = await first.next_message()
    told_second = await second.next_message()
    assert "MQ-000001" in (told_first.text or "")
    assert "已由所在网格网格员受理" in (told_first.text or "")
    assert "was accepted by the officer of your grid" in (told_second.text or "")


async def test_a_different_problem_nearby_is_filed(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    first = emulator.user(7003, "乙")
    second = emulator.user(7004, "丙")
    await file_report(first)
    summary = await fill_report(second)
    question = await step(second, summary, "✅ 提交")  # the offer, in place
    done = await choose(second, question, "不是，是另一个问题")
    assert "MQ-000002" in (done.text or "")
    assert len(await all_cases(bot_app)) == 2


async def test_fixed_then_rated_with_a_comment(emulator: TelegramEmulator, bot_app: App) -> None:
    user = emulator.user(7005, "丁")
    await file_report(user)
    [case] = await all_cases(bot_app)
    officer = await make_staff(bot_app, 800002, Role.ADMIN)
    await officer_does(bot_app, case.id, Action.ACCEPT, officer)
    await user.next_message()
    await officer_does(bot_app, case.id, Action.RESOLVE, officer, note="纸箱已清走，通道畅通")
    resolved = await user.next_message()
    assert "纸箱已清走，通道畅通" in (resolved.text or "")
    assert resolved.buttons == [["👍 已解决", "👎 没解决"]]
    rate = await choose(user, resolved, "👍 已解决")
    assert rate.buttons == [["⭐", "⭐⭐", "⭐⭐⭐"], ["⭐⭐⭐⭐", "⭐⭐⭐⭐⭐"]]
    query = await user.press(rate, "⭐⭐⭐⭐")
    assert (await user.callback_answer(query))["text"] == "已评价 ⭐⭐⭐⭐"
    ask = await user.next_message()
    assert "还想说几句吗" in (ask.text or "")
    saved = await user.ask("处理很及时，谢谢网格员")
    assert saved.text == "已收到您的评价，谢谢！"
    again = await user.press_data(rate, rate.callback_data("⭐"))
    assert (await user.callback_answer(again))["text"] == "您已经评价过这个案件了，谢谢！"
    [case] = await all_cases(bot_app)
    assert (case.status, case.rating, case.rating_comment) == (
        CaseStatus.CLOSED,
        4,
        "处理很及时，谢谢网格员",
    )
    assert case.closed_at is not None


async def test_not_fixed_reopens_with_the_residents_words(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    user = emulator.user(7006, "戊")
    await file_report(user)
    [case] = await all_cases(bot_app)
    officer = await make_staff(bot_app, 800003, Role.ADMIN)
    await officer_does(bot_app, case.id, Action.ACCEPT, officer)
    await user.next_message()
    await officer_does(bot_app, case.id, Action.RESOLVE, officer, note="已清理")
    resolved = await user.next_message()
    ask = await choose(user, resolved, "👎 没解决")
    assert "哪里还没解决" in (ask.text or "")
    saved = await user.ask("纸箱又堆回来了")
    assert "已补充到案件" in (saved.text or "")
    [case] = await all_cases(bot_app)
    assert (case.status, case.rework_count) == (CaseStatus.ACCEPTED, 1)
    async with bot_app.database.sessions() as session:
        events = (await session.scalars(select(CaseEvent).order_by(CaseEvent.id))).all()
    assert [e.action for e in events] == ["submit", "accept", "resolve", "reopen", "add_info"]
    assert events[-1].note == "纸箱又堆回来了"
    stale = await user.press_data(resolved, resolved.callback_data("👍 已解决"))
    assert "状态已经变了" in (await user.callback_answer(stale))["text"]


async def test_more_information_requested_and_given(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    user = emulator.user(7007, "己")
    await file_report(user)
    [case] = await all_cases(bot_app)
    officer = await make_staff(bot_app, 800004, Role.ADMIN)
    await officer_does(bot_app, case.id, Action.REQUEST_INFO, officer, note="是几单元？")
    asked = await user.next_message()
    assert "是几单元？" in (asked.text or "")
    assert "直接回复" in (asked.text or "")
    assert asked.buttons == [["没有可补充的"]]  # no extra tap to answer, no stray skip
    listing = (await user.ask("📋 我的案件")).text or ""  # a menu button is no answer
    assert "我的案件（共 1 件" in listing
    await user.send_photo(make_image(color=(5, 5, 5)), caption="二单元")
    assert "已补充到案件" in ((await user.next_message()).text or "")
    async with bot_app.database.sessions() as session:
        event = await session.scalar(select(CaseEvent).order_by(CaseEvent.id.desc()).limit(1))
    assert event is not None
    assert (event.action, event.note) == ("add_info", "二单元")
    # Answered: the next message is no answer any more (the bot does not take it).
    assert "已补充到案件" not in ((await user.ask("你好")).text or "")


async def test_nothing_to_add_answers_the_question(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    user = emulator.user(7017, "无")
    await file_report(user)
    [case] = await all_cases(bot_app)
    officer = await make_staff(bot_app, 800014, Role.ADMIN)
    await officer_does(bot_app, case.id, Action.REQUEST_INFO, officer, note="还有照片吗？")
    asked = await user.next_message()
    done = await choose(user, asked, "没有可补充的")
    assert "没有更多情况" in (done.text or "")
    async with bot_app.database.sessions() as session:
        event = await session.scalar(select(CaseEvent).order_by(CaseEvent.id.desc()).limit(1))
    assert event is not None
    assert (event.action, event.note) == ("add_info", "居民表示没有可补充的情况。")
    assert "已补充到案件" not in ((await user.ask("谢谢")).text or "")


async def test_rejected_and_merged_cases_are_explained(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    first = emulator.user(7008, "庚")
    second = emulator.user(7009, "辛")
    await file_report(first)
    await file_report(second, category="🧹 市容环境", answers=("垃圾堆放",), place=None)
    one, two = await all_cases(bot_app)
    officer = await make_staff(bot_app, 800005, Role.ADMIN)
    await officer_does(bot_app, two.id, Action.REJECT, officer, note="不属于本街道管辖")
    assert "不属于本街道管辖" in ((await second.next_message()).text or "")
    third = emulator.user(7010, "壬")
    await file_report(third, place=None)
    three = (await all_cases(bot_app))[-1]
    async with bot_app.database.transaction() as session:
        outcome = await cases.apply(session, three.id, Action.MERGE, officer, duplicate_of=one.id)
    await bot_app.desk.after(outcome, actor_id=officer.id)
    merged = await third.next_message()
    assert "MQ-000003" in (merged.text or "")
    assert "MQ-000001" in (merged.text or "")


async def test_no_answer_in_72_hours_closes_the_case(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    user = emulator.user(7011, "癸")
    await file_report(user)
    [case] = await all_cases(bot_app)
    officer = await make_staff(bot_app, 800006, Role.ADMIN)
    await officer_does(bot_app, case.id, Action.ACCEPT, officer)
    await officer_does(bot_app, case.id, Action.RESOLVE, officer, note="done")
    await user.next_messages(2)
    assert (
        await auto_close(bot_app.database, bot_app.desk, 72, now=utcnow() + timedelta(hours=71))
        == 0
    )
    assert (
        await auto_close(bot_app.database, bot_app.desk, 72, now=utcnow() + timedelta(hours=73))
        == 1
    )
    assert "已办结" in ((await user.next_message()).text or "")
    [case] = await all_cases(bot_app)
    assert case.status == CaseStatus.CLOSED
    assert (
        await auto_close(bot_app.database, bot_app.desk, 72, now=utcnow() + timedelta(hours=80))
        == 0
    )


async def test_my_cases_lists_pages_and_history(emulator: TelegramEmulator, bot_app: App) -> None:
    user = emulator.user(7012, "子")
    assert "还没有反映" in ((await user.ask("/mycases")).text or "")
    for _ in range(3):
        await file_report(user, place=None)
    async with bot_app.database.transaction() as session:
        # three more, filed earlier, to make two pages
        for index in range(3):
            session.add(
                Case(
                    number=f"MQ-9{index}",
                    reporter_id=(await all_cases(bot_app))[0].reporter_id,
                    status=CaseStatus.CLOSED,
                    category_id=1,
                    answers={},
                    submitted_at=utcnow() - timedelta(days=10 + index),
                )
            )
    listing = await user.ask("📋 我的案件")
    assert "共 6 件" in (listing.text or "")
    assert len(listing.buttons) == 6  # five cases and the paging row
    assert listing.buttons[0][0] == "MQ-000003 · 火灾隐患 · 待受理"
    assert listing.buttons[-1] == ["1/2", "▶"]
    await user.press(listing, "▶")
    await emulator.wait_for(lambda: listing.buttons[-1] == ["◀", "2/2"], 5)
    assert listing.buttons[0][0] == "MQ-92 · 火灾隐患 · 已办结"
    await user.press(listing, "◀")
    await emulator.wait_for(lambda: listing.buttons[-1] == ["1/2", "▶"], 5)
    details = await choose(user, listing, "MQ-000003 · 火灾隐患 · 待受理")
    assert details.text is not None
    assert "案件 MQ-000003 · 待受理" in details.text
    assert "提交登记" in details.text
    assert "照片 1 张 · 0 人关注" in details.text
    stranger = emulator.user(7013, "丑")
    peek = await stranger.press_data(details, "v1co:1")  # someone else's case, forged
    assert (await stranger.callback_answer(peek))["text"] == "找不到这个案件。"


async def test_draft_cases_are_not_listed(emulator: TelegramEmulator, bot_app: App) -> None:
    user = emulator.user(7014, "寅")
    await user.ask("/report")
    assert "还没有反映" in ((await user.ask("/mycases")).text or "")
    assert [c.status for c in await all_cases(bot_app)] == [CaseStatus.DRAFT]
