"""The Open311 GeoReport v2 API over real HTTP, on SQLite and PostgreSQL: the spec's field names
and status values, the filters and their defaults, the spec's errors, and no personal data."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from app.open311_server import api_application
from app.webhook import web_application
from app.wiring import create_app
from bot.config import Settings
from bot.open311.feed import Feed
from bot.texts import Catalogue
from storage.db import Database
from storage.models import (
    Area,
    AreaLevel,
    Case,
    CaseEvent,
    CaseStatus,
    Category,
    Person,
    Role,
)
from storage.types import utcnow

SERVICE_FIELDS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
    "extended_attributes",  # our extension: the national class codes
}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
REPORTER = ("王小明", 7001234567, "wangxm")
OFFICER = ("李网格", 7009999999)
PHONE, ID_CARD = "13812345678", "11010519491231002X"
ROOT = Path(__file__).resolve().parents[2]
# An old case, outside the default 90 days, with times fixed so its record is known by hand.
OLD_FILED = datetime(2025, 1, 15, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


async def seed(database: Database, now: datetime) -> None:
    """Six filed cases and a draft, numbered JN-000001 (newest) to JN-000006 (oldest)."""
    async with database.transaction() as session:
        categories = {c.code: c for c in await session.scalars(select(Category))}
        street = Area(code="JN", name="江南街道", level=AreaLevel.STREET)
        session.add(street)
        await session.flush()
        community = Area(
            code="JN01", name="春风社区", level=AreaLevel.COMMUNITY, parent_id=street.id
        )
        session.add(community)
        await session.flush()
        grid = Area(code="JN0102", name="二网格", level=AreaLevel.GRID, parent_id=community.id)
        reporter = Person(name=REPORTER[0], tg_id=REPORTER[1], username=REPORTER[2])
        officer = Person(name=OFFICER[0], tg_id=OFFICER[1], role=Role.OFFICER)
        session.add_all([grid, reporter, officer])
        await session.flush()

        def case(number: int, code: str, status: CaseStatus, filed: datetime, **more: Any) -> Case:
            return Case(
                number=f"JN-{number:06d}",
                status=status,
                category_id=categories[code].id,
                reporter_id=reporter.id,
                officer_id=officer.id,
                area_id=grid.id,
                created_at=filed - timedelta(minutes=5),
                submitted_at=filed,
                **more,
            )

        old = case(
            6,
            "sanitation",
            CaseStatus.RESOLVED,
            OLD_FILED,
            description=f"垃圾堆在路口，电话 {PHONE}，身份证 {ID_CARD}",
            latitude=30.6586,
            longitude=104.0648,
            address="春风路 12 号，门卫 87654321",
            accepted_at=OLD_FILED + timedelta(hours=1),
            resolved_at=OLD_FILED + timedelta(days=1, hours=4, minutes=30),
            resolve_due_at=OLD_FILED + timedelta(days=3),
        )
        newest = case(
            1,
            "fire",
            CaseStatus.NEW,
            now - timedelta(days=1),
            description=f"楼道堆物，联系 {PHONE}",
        )
        session.add_all(
            [
                newest,
                case(2, "sanitation", CaseStatus.ACCEPTED, now - timedelta(days=2)),
                case(
                    3,
                    "sanitation",
                    CaseStatus.CLOSED,
                    now - timedelta(days=10),
                    closed_at=now - timedelta(days=5),
                    rating=5,
                    rating_comment=f"{OFFICER[0]}处理得很好",
                ),
                case(
                    4,
                    "dog",
                    CaseStatus.REJECTED,
                    now - timedelta(days=20),
                    closed_at=now - timedelta(days=19),
                ),
                case(
                    5,
                    "fire",
                    CaseStatus.DUPLICATE,
                    now - timedelta(days=30),
                    closed_at=now - timedelta(days=29),
                ),
                old,
                Case(status=CaseStatus.DRAFT, reporter_id=reporter.id, description="草稿"),
                # A category an admin adds later gets its code as service code.
                Category(
                    code="noise",
                    name_zh="噪声扰民",
                    name_en="Noise",
                    accept_minutes=90,
                    resolve_minutes=3 * 24 * 60,
                    sort_order=60,
                ),
            ]
        )
        await session.flush()
        session.add_all(
            [
                CaseEvent(case_id=old.id, action="submit", created_at=old.submitted_at),
                CaseEvent(case_id=old.id, action="accept", created_at=old.accepted_at),
                CaseEvent(case_id=old.id, action="resolve", created_at=old.resolved_at),
            ]
        )


@pytest.fixture
def now() -> datetime:
    return utcnow().replace(microsecond=0)


@pytest.fixture
async def api(database: Database, now: datetime) -> AsyncIterator[TestClient]:
    await seed(database, now)
    feed = Feed(database, Catalogue.load("zh"), ZoneInfo("Asia/Shanghai"))
    async with TestClient(TestServer(api_application(feed), host="127.0.0.1")) as client:
        yield client


async def get(client: TestClient, path: str, expect: int = 200, **params: str) -> Any:
    response = await client.get(f"/open311/v2/{path}", params=params)
    assert response.status == expect, await response.text()
    assert response.content_type == "application/json"
    assert response.charset == "utf-8"
    return await response.json()


async def numbers(client: TestClient, **params: str) -> list[int]:
    return [int(r["service_request_id"][3:]) for r in await get(client, "requests.json", **params)]


async def test_services_carry_the_spec_fields_and_the_national_classes(api: TestClient) -> None:
    services = await get(api, "services.json")
    assert [s["service_code"] for s in services] == [
        "fire-hazard",
        "dogs",
        "illegal-building",
        "sanitation",
        "other",
        "noise",
    ]
    assert all(set(s) == SERVICE_FIELDS for s in services)
    assert all(s["metadata"] is False and s["type"] == "realtime" for s in services)
    fire, land = services[0], services[2]
    assert (fire["service_name"], fire["group"]) == ("火灾隐患", "emergency")
    assert fire["description"] == "紧急类别，不分昼夜处理：30 分钟内受理，1 天内办结。"
    assert fire["keywords"] == "火灾隐患, Fire hazard"
    assert land["extended_attributes"] == {
        "national_class": None,
        "national_subclass": None,
        "national_class_name": "市容环境",
        "national_subclass_name": "私搭乱建",
    }
    assert services[5]["description"] == "90 分钟内受理，3 天内办结。"
    response = await api.get("/open311/v2/services.json", headers={"Accept-Language": "en-US"})
    english = await response.json()
    assert english[0]["service_name"] == "Fire hazard"
    assert english[1]["description"] == "Accepted within 2 hours, resolved within 2 days."


async def test_requests_default_to_the_last_90_days_newest_first(api: TestClient) -> None:
    requests = await get(api, "requests.json")
    assert [r["service_request_id"] for r in requests] == [f"JN-00000{n}" for n in range(1, 6)]
    assert all(set(r) == REQUEST_FIELDS for r in requests)
    assert [r["status"] for r in requests] == ["open", "open", "closed", "closed", "closed"]
    assert [r["status_notes"] for r in requests] == [
        "待受理",
        "办理中",
        "已办结",
        "不予受理",
        "已合并",
    ]
    assert requests[0]["service_code"] == "fire-hazard"
    assert requests[0]["agency_responsible"] == "emergency"


async def test_requests_filter_by_status_service_dates_and_ids(
    api: TestClient, now: datetime
) -> None:
    assert await numbers(api, status="open") == [1, 2]
    assert await numbers(api, status="closed") == [3, 4, 5]
    assert await numbers(api, status="open,closed") == [1, 2, 3, 4, 5]
    assert await numbers(api, service_code="fire-hazard") == [1, 5]
    assert await numbers(api, service_code="fire-hazard,dogs", status="closed") == [4, 5]
    assert await numbers(api, service_code="no-such-code") == []
    shanghai = ZoneInfo("Asia/Shanghai")
    start, end = (
        (now - timedelta(days=15)).astimezone(shanghai),
        (now - timedelta(days=5)).astimezone(shanghai),
    )
    assert await numbers(api, start_date=start.isoformat(), end_date=end.isoformat()) == [3]
    # start_date alone: the 90 days from it (JN-000006 is older, JN-000001/2 newer than that).
    start = (now - timedelta(days=95)).isoformat().replace("+00:00", "Z")
    assert await numbers(api, start_date=start) == [3, 4, 5]
    # A bare date is a whole day in the street's time zone.
    assert await numbers(api, start_date="2025-01-15", end_date="2025-01-15") == [6]
    assert await numbers(api, start_date="2025-01-16", end_date="2025-01-20") == []
    # service_request_id overrides every other filter, the 90 days included.
    assert await numbers(api, service_request_id="JN-000006,JN-000003", status="open") == [3, 6]
    assert await numbers(api, service_request_id="JN-000999") == []


async def test_an_unencoded_plus_in_an_offset_is_understood(api: TestClient) -> None:
    response = await api.get(
        "/open311/v2/requests.json?start_date=2025-01-15T09:00:00+08:00"
        "&end_date=2025-01-15T11:00:00+08:00"
    )
    assert response.status == 200
    assert [r["service_request_id"] for r in await response.json()] == ["JN-000006"]


async def test_a_request_by_its_number(api: TestClient) -> None:
    assert await get(api, "requests/JN-000006.json") == [
        {
            "service_request_id": "JN-000006",
            "status": "open",
            "status_notes": "已处置，待确认",
            "service_name": "市容环境",
            "service_code": "sanitation",
            "description": "垃圾堆在路口，电话 ***********，身份证 ******************",
            "agency_responsible": "urban",
            "service_notice": None,
            "requested_datetime": "2025-01-15T10:00:00+08:00",
            "updated_datetime": "2025-01-16T14:30:00+08:00",
            "expected_datetime": "2025-01-18T10:00:00+08:00",
            "address": "春风路 12 号，门卫 ********",
            "address_id": "JN0102",
            "zipcode": None,
            "lat": 30.6586,
            "long": 104.0648,
            "media_url": None,
        }
    ]
    extended = await get(api, "requests/JN-000006.json", extensions="true")
    assert extended[0]["extended_attributes"] == {
        "national_class": None,
        "national_subclass": None,
        "national_class_name": "市容环境",
        "national_subclass_name": None,
        "urgent": False,
        "rework_count": 0,
    }


async def test_a_closed_request_was_updated_when_it_was_closed(
    api: TestClient, now: datetime
) -> None:
    (closed,) = await get(api, "requests/JN-000003.json")
    expected = (now - timedelta(days=5)).astimezone(ZoneInfo("Asia/Shanghai")).isoformat()
    assert closed["updated_datetime"] == expected


async def test_no_personal_data_leaves(api: TestClient) -> None:
    everything = [
        await (await api.get("/open311/v2/requests.json", params=params)).text()
        for params in (
            {"extensions": "true"},
            {"service_request_id": ",".join(f"JN-{n:06d}" for n in range(1, 8))},
        )
    ]
    body = "".join(everything)
    assert "JN-000006" in body
    assert "JN-000001" in body
    for secret in (*map(str, REPORTER), *map(str, OFFICER), PHONE, ID_CARD, "草稿", "处理得很好"):
        assert secret not in body, secret
    for field in ("reporter", "officer", "tg_id", "rating", "anonymous"):
        assert f'"{field}' not in body


async def test_unknown_ids_and_resources_get_the_spec_404(api: TestClient) -> None:
    assert await get(api, "requests/JN-999999.json", 404) == [
        {"code": 404, "description": "没有编号为 JN-999999 的案件。"}
    ]
    assert await get(api, "nothing.json", 404) == [
        {"code": 404, "description": "没有这个接口，见 discovery.json。"}
    ]


async def test_xml_is_refused_with_the_spec_error(api: TestClient) -> None:
    for path in ("services.xml", "requests.xml", "requests/JN-000001.xml", "discovery.xml"):
        assert await get(api, path, 400) == [
            {"code": 400, "description": "只提供 JSON 格式，请用 .json 结尾的地址。"}
        ], path


BAD_PARAMETERS = [
    ({"start_date": "yesterday"}, "start_date 应是带时区的 W3C 日期时间"),
    ({"end_date": "2025-01-15T10:00:00"}, "end_date 应是带时区的 W3C 日期时间"),
    ({"start_date": "2025-13-01"}, "start_date 应是带时区的 W3C 日期时间"),
    ({"start_date": "2025-01-01", "end_date": "2025-06-01"}, "不能超过 90 天"),
    ({"start_date": "2025-02-01", "end_date": "2025-01-01"}, "start_date 应早于 end_date"),
    ({"status": "pending"}, "status 只能是 open 或 closed"),
    ({"extensions": "yes"}, "extensions 只能是 true 或 false"),
]


async def test_bad_parameters_get_the_spec_400(api: TestClient) -> None:
    for params, description in BAD_PARAMETERS:
        (error,) = await get(api, "requests.json", 400, **params)
        assert error["code"] == 400
        assert description in error["description"], params


async def test_errors_follow_accept_language(api: TestClient) -> None:
    response = await api.get(
        "/open311/v2/requests.json",
        params={"status": "pending"},
        headers={"Accept-Language": "en;q=0.9"},
    )
    assert response.status == 400
    assert (await response.json())[0]["description"].startswith("status must be open or closed")


async def test_discovery_cors_and_read_only(api: TestClient) -> None:
    discovery = await get(api, "discovery.json")
    assert set(discovery) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = discovery["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == f"http://127.0.0.1:{api.port}/open311/v2"
    assert (endpoint["type"], endpoint["formats"]) == ("production", ["application/json"])
    response = await api.get(
        "/open311/v2/services.json", headers={"Origin": "https://city.example"}
    )
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    response = await api.post("/open311/v2/requests.json", data={"service_code": "fire-hazard"})
    assert response.status == 405
    assert (await response.json())[0]["code"] == 405


async def test_the_webhook_server_serves_the_api_and_still_checks_its_secret(
    make_settings: Callable[..., Settings],
) -> None:
    for enabled, api_status in ((True, 200), (False, 404)):
        settings = make_settings(
            webhook_url="https://bot.example/tg/hook",
            webhook_secret="s3cret",
            open311_enabled=enabled,
        )
        app = await create_app(settings)
        try:
            async with TestClient(TestServer(web_application(app))) as client:
                response = await client.get("/open311/v2/services.json")
                assert response.status == api_status
                response = await client.post("/tg/hook", json={"update_id": 1})
                assert response.status == 401
                headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
                response = await client.post("/tg/hook", json={"nope": 1}, headers=headers)
                assert response.status == 400  # past the secret: a malformed update
        finally:
            await app.close()


@pytest.mark.slow
async def test_serve_api_process_answers(tmp_path: Path, unused_tcp_port: int) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_", "API_"))}
    env.update(  # no BOT_TOKEN: this process never talks to Telegram
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        API_PORT=str(unused_tcp_port),
        REDIS_URL="",
        LOG_LEVEL="INFO",
        PYTHONPATH=str(ROOT),  # this tree's code, not an installed copy
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve-api",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        assert process.stdout is not None
        started = await asyncio.wait_for(_line_with(process.stdout, "Open311 API on"), 30)
        assert f":{unused_tcp_port}/open311/v2/" in started
        url = f"http://127.0.0.1:{unused_tcp_port}/open311/v2/services.json"
        async with aiohttp.ClientSession() as http, http.get(url) as response:
            services = await response.json()
        assert [s["service_code"] for s in services][:2] == ["fire-hazard", "dogs"]
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 15)
    output = (await process.stdout.read()).decode()
    assert process.returncode == 0, output
    assert "Traceback" not in output


async def _line_with(stream: asyncio.StreamReader, text: str) -> str:
    said = []
    while line := (await stream.readline()).decode():
        if text in line:
            return line
        said.append(line)
    raise AssertionError(f"the process ended without saying {text!r}: {''.join(said)}")
