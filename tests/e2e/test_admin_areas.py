"""/areas with a GeoJSON upload, /categories and /find, through the real bot and the emulator.

The cases are seeded straight into the database (their figures are counted by hand below):

| number    | status   | grid   | category   | filed (local) | description    |
|-----------|----------|--------|------------|---------------|----------------|
| JN-000001 | new      | JN01-1 | fire       | 11-01         | 楼道堆放纸箱   |
| JN-000002 | accepted | JN01-1 | sanitation | 11-02         | 垃圾堆放在路边 |
| JN-000003 | resolved | JN01-2 | dog        | 11-03         | 流浪狗咬人     |
| JN-000004 | closed   | JN01-1 | sanitation | 11-04         | 路边垃圾已清理 |
| JN-000005 | new      | JN05-1 | land       | 11-05         | 违章搭建棚子   |
| JN-000006 | rejected | JN05-1 | other      | 11-06         | 纸箱           |
| (a draft) | draft    | JN01-1 | fire       | —             | 纸箱           |

Open (new, accepted, resolved): JN01-1 2, JN01-2 1, JN01 3, JN05-1 1, JN05 1, JN 4.
Officers: JN01-1 2 (one a backup), JN05-1 1; JN01 2, JN05 1, JN 3.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.admin_cli import DEMO_FILE
from app.wiring import App
from bot.people import staff
from bot.places.areas import import_file
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.files import make_image
from storage.models import Area, Case, CaseStatus, Category, Person, Role

ADMIN, LEAD, OFFICER, RESIDENT = 900001, 8703, 8701, 8710
NOT_ALLOWED = "抱歉，您没有权限进行这个操作。"
SEEDED = [
    ("JN-000001", CaseStatus.NEW, "JN01-1", "fire", 1, "楼道堆放纸箱"),
    ("JN-000002", CaseStatus.ACCEPTED, "JN01-1", "sanitation", 2, "垃圾堆放在路边"),
    ("JN-000003", CaseStatus.RESOLVED, "JN01-2", "dog", 3, "流浪狗咬人"),
    ("JN-000004", CaseStatus.CLOSED, "JN01-1", "sanitation", 4, "路边垃圾已清理"),
    ("JN-000005", CaseStatus.NEW, "JN05-1", "land", 5, "违章搭建棚子"),
    ("JN-000006", CaseStatus.REJECTED, "JN05-1", "other", 6, "纸箱"),
    (None, CaseStatus.DRAFT, "JN01-1", "fire", 7, "纸箱"),
]
SQUARE = [[[104.1, 30.7], [104.11, 30.7], [104.11, 30.71], [104.1, 30.71], [104.1, 30.7]]]


async def _seed(app: App, rows: list[tuple]) -> None:
    async with app.database.transaction() as session:
        reporter = await session.scalar(select(Person).where(Person.tg_id == 8799))
        if reporter is None:
            reporter = Person(tg_id=8799, name="隐私人", role=Role.RESIDENT)
            session.add(reporter)
            await session.flush()
        areas = {a.code: a.id for a in (await session.scalars(select(Area))).all()}
        kinds = {c.code: c.id for c in (await session.scalars(select(Category))).all()}
        for number, status, grid, kind, day, text in rows:
            filed = datetime(2026, 11, day, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
            session.add(
                Case(
                    number=number,
                    status=status,
                    area_id=areas[grid],
                    category_id=kinds[kind],
                    reporter_id=reporter.id,
                    description=text,
                    created_at=filed,
                    submitted_at=None if status == CaseStatus.DRAFT else filed,
                )
            )


@pytest.fixture
async def street(bot_app: App) -> App:
    await import_file(bot_app.database, DEMO_FILE)
    await staff.appoint(bot_app.database, OFFICER, Role.OFFICER, "JN01-1")
    await staff.appoint(bot_app.database, 8702, Role.OFFICER, "JN01-1", backup=True)
    await staff.appoint(bot_app.database, LEAD, Role.LEAD, "JN01")
    await staff.appoint(bot_app.database, 8704, Role.OFFICER, "JN05-1")
    await _seed(bot_app, SEEDED)
    return bot_app


def _geojson(*features: dict) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def _feature(code: str, name: str, level: str, parent: str | None, geometry: object = None) -> dict:
    properties = {"code": code, "name": name, "level": level, "parent": parent}
    return {"type": "Feature", "properties": properties, "geometry": geometry}


NEW_AREAS = _geojson(
    _feature("JN13", "新华社区", "community", "JN"),
    _feature(
        "JN13-1", "新华社区第一网格", "grid", "JN13", {"type": "Polygon", "coordinates": SQUARE}
    ),
    _feature("JN01", "幸福社区（新）", "community", "JN"),
)


async def _codes(app: App) -> set[str]:
    async with app.database.sessions() as session:
        return set((await session.scalars(select(Area.code))).all())


async def test_the_area_tree_with_officers_and_open_cases(
    emulator: TelegramEmulator, street: App
) -> None:
    admin, lead = emulator.user(ADMIN, "管理员"), emulator.user(LEAD, "社区张")
    lines = ((await admin.ask("/areas")).text or "").splitlines()
    assert lines[0] == "区域（网格员人数 · 未办结案件数）"
    assert lines[1] == "JN 江南街道（街道）· 网格员 3 · 未办结 4"
    assert lines[2] == "    JN01 幸福社区（社区）· 网格员 2 · 未办结 3"
    assert lines[3] == "        JN01-1 幸福社区第一网格（网格）· 网格员 2 · 未办结 2"
    assert lines[4] == "        JN01-2 幸福社区第二网格（网格）· 网格员 0 · 未办结 1"
    assert "    JN05 青松社区（社区）· 网格员 1 · 未办结 1" in lines
    assert "    JN12 芳草社区（社区）· 网格员 0 · 未办结 0" in lines
    assert len(lines) == 1 + 1 + 12 * 3
    assert ((await lead.ask("/areas")).text or "").splitlines() == [
        lines[0],
        "JN01 幸福社区（社区）· 网格员 2 · 未办结 3",
        "    JN01-1 幸福社区第一网格（网格）· 网格员 2 · 未办结 2",
        "    JN01-2 幸福社区第二网格（网格）· 网格员 0 · 未办结 1",
    ]


async def test_an_admin_imports_areas_by_sending_a_geojson_file(
    emulator: TelegramEmulator, street: App
) -> None:
    admin = emulator.user(ADMIN, "管理员")
    await admin.send_document(NEW_AREAS, "areas.geojson", "application/geo+json")
    done = await admin.next_message()
    assert (
        done.text == "区域已导入：新增 2 个，更新 1 个，未变 0 个。\n有变化的：JN13, JN13-1, JN01"
    )
    assert {"JN13", "JN13-1"} <= await _codes(street)
    await admin.send_document(NEW_AREAS, "areas.json", "application/json")
    again = await admin.next_message()
    assert again.text == "区域已导入：新增 0 个，更新 0 个，未变 3 个。\n有变化的：—"
    assert "JN13 新华社区（社区）· 网格员 0 · 未办结 0" in ((await admin.ask("/areas")).text or "")


async def test_a_bad_area_file_changes_nothing_and_is_explained(
    emulator: TelegramEmulator, street: App
) -> None:
    admin = emulator.user(ADMIN, "管理员")
    before = await _codes(street)
    orphan = _geojson(
        _feature("JN14", "东风社区", "community", "JN"),
        _feature("JN14-1", "孤儿网格", "grid", "JN99", {"type": "Polygon", "coordinates": SQUARE}),
    )
    await admin.send_document(orphan, "areas.geojson", "application/geo+json")
    refused = await admin.next_message()
    assert refused.text == "区域文件有问题，没有导入任何内容：\nJN14-1: unknown parent 'JN99'"
    await admin.send_document(b"{not json", "areas.geojson", "application/geo+json")
    assert (await admin.next_message()).text == (
        "这个文件不是有效的 JSON，没有导入任何内容。请检查文件后重新发送。"
    )
    await admin.send_document(b'["a list"]', "areas.json", "application/json")
    assert (await admin.next_message()).text == (
        "区域文件有问题，没有导入任何内容：\nthe file is not a GeoJSON FeatureCollection"
    )
    await admin.send_document(b"code,name", "areas.csv", "text/csv")
    assert (await admin.next_message()).text == (
        "只能导入 .geojson 或 .json 格式的区域文件。照片请直接发送，或作为图片文件发送。"
    )
    big = b" " * (5 * 1024 * 1024 + 1)
    await admin.send_document(big, "big.geojson", "application/geo+json")
    assert (await admin.next_message()).text == "文件太大了，区域文件不能超过 5 MB。"
    assert await _codes(street) == before


async def test_only_idle_admins_import_and_image_files_still_start_reports(
    emulator: TelegramEmulator, street: App
) -> None:
    resident, officer = emulator.user(RESIDENT, "居民"), emulator.user(OFFICER, "李网格")
    admin = emulator.user(ADMIN, "管理员")
    for user in (resident, officer):
        await user.send_document(NEW_AREAS, "areas.geojson", "application/geo+json")
        answer = await user.next_message()
        assert answer.text == "抱歉，我没看懂这条消息。发送 /help 查看我能做什么。"
    await admin.ask("/report")  # in the middle of a report, a file is not an area file
    await admin.send_document(NEW_AREAS, "areas.geojson", "application/geo+json")
    assert not ((await admin.next_message()).text or "").startswith("区域已导入")
    await admin.ask("/cancel")
    assert "JN13" not in await _codes(street)
    await admin.send_document(make_image(), "photo.jpg", "image/jpeg")
    assert (await admin.next_message()).text == "收到照片，我们来登记这个问题。"
    assert "JN13" not in await _codes(street)


CATEGORY_LINES = [
    "问题类别（受理时限 / 办结时限；⏱ 全天计时：夜间和节假日也计时；🚨 紧急：立即通知各级）",
    "fire 火灾隐患 ⏱全天计时：受理 30 分钟 / 办结 1 天 · 部门 应急消防",
    "    🚨 答“正在冒烟或起火”即为紧急：立即通知各级，受理 30 分钟 / 办结 1 天",
    "dog 犬只问题：受理 2 小时 / 办结 2 天 · 部门 派出所",
    "    🚨 答“有人被咬伤”即为紧急：立即通知各级，受理 30 分钟 / 办结 1 天",
    "land 违法用地/违法建设：受理 1 天 / 办结 7 天 · 部门 国土规划",
    "sanitation 市容环境：受理 4 小时 / 办结 3 天 · 部门 城管市容",
    "other 其他：受理 1 天 / 办结 7 天 · 部门 —",
]


async def test_categories_are_shown_to_leads_and_changed_by_admins(
    emulator: TelegramEmulator, street: App, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.categories.table")
    lead, admin = emulator.user(LEAD, "社区张"), emulator.user(ADMIN, "管理员")
    assert ((await lead.ask("/categories")).text or "").splitlines() == CATEGORY_LINES
    shown = ((await admin.ask("/categories")).text or "").splitlines()
    assert shown[: len(CATEGORY_LINES)] == CATEGORY_LINES
    assert "/categories fire 受理时限 30m" in shown  # the Chinese words shown

    changed = await admin.ask("/categories dog accept 90m")
    assert (changed.text or "").splitlines()[:2] == [
        "已修改：",
        "dog 犬只问题：受理 90 分钟 / 办结 2 天 · 部门 派出所",
    ]
    assert "category dog: accept 120 -> 90 by person" in caplog.text
    await admin.ask("/categories DOG urgent on")
    await admin.ask("/categories dog resolve 3d")
    await admin.ask("/categories other department 城管")
    assert (await admin.ask("/categories other active off")).text == (
        "已修改：\nother 其他 （已停用）：受理 1 天 / 办结 7 天 · 部门 城管"
    )
    async with street.database.sessions() as session:
        dog = await session.scalar(select(Category).where(Category.code == "dog"))
        other = await session.scalar(select(Category).where(Category.code == "other"))
    assert dog is not None
    assert other is not None
    assert (dog.accept_minutes, dog.resolve_minutes, dog.urgent) == (90, 3 * 24 * 60, True)
    assert (other.department, other.active) == ("城管", False)
    await admin.ask("/categories other department -")
    await admin.ask("/categories other active on")
    async with street.database.sessions() as session:
        other = await session.scalar(select(Category).where(Category.code == "other"))
    assert other is not None
    assert (other.department, other.active) == (None, True)


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        (
            "/categories dog accept soon",
            "没看懂时限“soon”。请写 30m（分钟）、4h（小时）或 3d（天），最长一年。",
        ),
        (
            "/categories dog accept 0m",
            "没看懂时限“0m”。请写 30m（分钟）、4h（小时）或 3d（天），最长一年。",
        ),
        ("/categories dog accept 5d", "受理时限不能长于办结时限。"),
        ("/categories cat accept 1h", "没有代码为“cat”的类别。发送 /categories 查看类别代码。"),
        ("/categories dog urgent maybe", "“maybe”不对，请写 开 或 关。"),
        ("/categories dog department " + "部" * 33, "部门名称最长 32 个字。"),
        ("/categories dog colour red", None),
        ("/categories dog", None),
    ],
)
async def test_bad_category_changes_are_refused_politely(
    emulator: TelegramEmulator, street: App, command: str, answer: str | None
) -> None:
    admin = emulator.user(ADMIN, "管理员")
    reply = (await admin.ask(command)).text or ""
    if answer is None:
        assert reply.startswith("用法：/categories 类别 项目 值。")
    else:
        assert reply == answer
    async with street.database.sessions() as session:
        dog = await session.scalar(select(Category).where(Category.code == "dog"))
    assert dog is not None
    assert (dog.accept_minutes, dog.resolve_minutes, dog.urgent, dog.department) == (
        120,
        48 * 60,
        False,
        "police",
    )


async def test_find_by_number_words_status_area_and_category(
    emulator: TelegramEmulator, street: App
) -> None:
    admin = emulator.user(ADMIN, "管理员")

    async def lines(query: str) -> list[str]:
        return ((await admin.ask(f"/find {query}")).text or "").splitlines()

    assert await lines("纸箱") == [
        "找到 2 个案件，显示最新的 2 个：",
        "JN-000006 · 不予受理 · 其他 · 青松社区第一网格 · 2026-11-06",
        "JN-000001 · 待受理 · 火灾隐患 · 幸福社区第一网格 · 2026-11-01",
    ]
    assert (await lines("jn-000003"))[1:] == [
        "JN-000003 · 已处置，待确认 · 犬只问题 · 幸福社区第二网格 · 2026-11-03"
    ]
    assert [line.split(" · ")[0] for line in (await lines("status:open area:JN01"))[1:]] == [
        "JN-000003",
        "JN-000002",
        "JN-000001",
    ]
    assert [line[:9] for line in (await lines("category:sanitation 垃圾"))[1:]] == [
        "JN-000004",
        "JN-000002",
    ]
    assert [line[:9] for line in (await lines("status：closed category:SANITATION"))[1:]] == [
        "JN-000004"
    ]
    assert [line[:9] for line in (await lines("status:new status:rejected area:JN05"))[1:]] == [
        "JN-000006",
        "JN-000005",
    ]
    assert await lines("状态:未办结 区域:JN01") == await lines("status:open area:JN01")
    assert [line[:9] for line in (await lines("类别:市容环境 状态：已办结"))[1:]] == ["JN-000004"]
    everything = await lines("status:open")
    assert everything[0] == "找到 4 个案件，显示最新的 4 个："
    assert "隐私人" not in "\n".join(everything)


async def test_find_keeps_leads_in_their_community_and_answers_bad_queries(
    emulator: TelegramEmulator, street: App
) -> None:
    lead, admin = emulator.user(LEAD, "社区张"), emulator.user(ADMIN, "管理员")
    assert ((await lead.ask("/find 纸箱")).text or "").splitlines()[1:] == [
        "JN-000001 · 待受理 · 火灾隐患 · 幸福社区第一网格 · 2026-11-01"
    ]
    assert (await lead.ask("/find JN-000005")).text == "没有找到符合条件的案件。"
    assert (await lead.ask("/find area:JN05")).text == NOT_ALLOWED
    assert (await admin.ask("/find status:lost")).text == (
        "没有“lost”这种状态。可以写：未办结、待受理、办理中、已处置，待确认、已办结、不予受理、已合并、已撤回。"
    )
    assert (await admin.ask("/find category:cats")).text == (
        "没有代码为“cats”的类别。发送 /categories 查看类别代码。"
    )
    assert (await admin.ask("/find area:火星")).text == (
        "没有找到区域“火星”。发送 /areas 查看区域编号。"
    )
    assert ((await admin.ask("/find")).text or "").startswith("用法：/find 查询内容。")
    assert (await admin.ask("/find 不存在的事")).text == "没有找到符合条件的案件。"


async def test_find_shows_the_newest_twenty(emulator: TelegramEmulator, street: App) -> None:
    many = [
        (f"JN-0001{n:02d}", CaseStatus.NEW, "JN01-2", "other", n, "井盖缺失") for n in range(1, 23)
    ]
    await _seed(street, many)
    admin = emulator.user(ADMIN, "管理员")
    lines = ((await admin.ask("/find 井盖")).text or "").splitlines()
    assert lines[0] == "找到 22 个案件，显示最新的 20 个："
    assert [line[:9] for line in lines[1:]] == [f"JN-0001{n:02d}" for n in range(22, 2, -1)]


async def test_one_day_is_said_in_the_singular(emulator: TelegramEmulator, bot_app: App) -> None:
    admin = emulator.user(900001, "Admin", language_code="en")
    listed = (await admin.ask("/categories")).text or ""
    assert "fire Fire hazard ⏱clock time: accept 30 minutes / resolve 1 day" in listed
    assert "1 days" not in listed
    assert "1 hours" not in listed
