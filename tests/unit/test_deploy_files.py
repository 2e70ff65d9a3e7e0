"""The deploy/ files agree with the bot: services, webhook mode, settings, and what nginx exposes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SETTINGS = {name.upper() for name in Settings.model_fields}
LOCATION = re.compile(r"location\s+(?:(=|\^~|~\*?)\s+)?(\S+)\s*\{([^}]*)\}")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))["services"]


@pytest.fixture(scope="module")
def nginx_conf() -> str:
    return (DEPLOY / "nginx.conf").read_text(encoding="utf-8")


def proxied_locations(conf: str) -> list[tuple[str, str]]:
    """(modifier, path) of every nginx location that passes requests on to the bots."""
    return [(mod, path) for mod, path, body in LOCATION.findall(conf) if "proxy_pass" in body]


def location_matches(modifier: str, path: str, uri: str) -> bool:
    if modifier == "=":
        return uri == path
    if modifier.startswith("~"):
        flags = re.IGNORECASE if modifier == "~*" else 0
        return re.search(path, uri, flags) is not None
    return uri.startswith(path)


def test_the_services_of_a_scaled_deploy_exist(services: dict[str, Any]) -> None:
    assert {"postgres", "redis", "migrate", "bot", "nginx"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert "healthcheck" in services["postgres"]
    assert "healthcheck" in services["redis"]


def test_the_bot_can_be_scaled(services: dict[str, Any]) -> None:
    bot = services["bot"]
    assert "container_name" not in bot
    assert "ports" not in bot  # a host port would clash between replicas


def test_the_bot_runs_in_webhook_mode_after_the_one_shot_migration(
    services: dict[str, Any],
) -> None:
    bot, migrate = services["bot"], services["migrate"]
    assert bot["command"] == ["python", "-m", "bot", "run", "--webhook"]
    assert migrate["command"] == ["python", "-m", "bot", "migrate"]
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert bot["environment"]["WEBHOOK_HOST"] == "0.0.0.0"
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert "@postgres:5432/" in bot["environment"]["DATABASE_URL"]
    assert bot["environment"]["REDIS_URL"].startswith("redis://redis:")


def test_replicas_share_the_media_folder(services: dict[str, Any]) -> None:
    media_dir = services["bot"]["environment"]["MEDIA_DIR"]
    assert any(volume.endswith(f":{media_dir}") for volume in services["bot"]["volumes"])


@pytest.mark.parametrize("service", ["bot", "migrate"])
def test_every_variable_given_to_the_bot_is_a_setting(
    services: dict[str, Any], service: str
) -> None:
    names = set(services[service]["environment"])
    assert names
    assert names <= SETTINGS, names - SETTINGS


def test_the_example_env_file_names_only_settings() -> None:
    lines = (DEPLOY / "env.example").read_text(encoding="utf-8").splitlines()
    names = {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}
    assert {"BOT_TOKEN", "ADMIN_IDS", "WEBHOOK_URL", "WEBHOOK_SECRET"} <= names
    assert names - {"POSTGRES_PASSWORD"} <= SETTINGS, names - SETTINGS


def test_nginx_proxies_the_webhook_and_open311_but_not_metrics(nginx_conf: str) -> None:
    locations = proxied_locations(nginx_conf)
    assert nginx_conf.count("proxy_pass") == len(locations)  # none outside a location block

    def proxied(uri: str) -> bool:
        return any(location_matches(mod, path, uri) for mod, path in locations)

    assert proxied("/webhook")
    assert proxied("/open311/v2/services.json")
    assert not proxied("/metrics")
    assert not proxied("/")


def test_nginx_finds_every_replica_by_the_service_name(
    nginx_conf: str, services: dict[str, Any]
) -> None:
    port = services["bot"]["environment"]["WEBHOOK_PORT"]
    assert re.search(rf"server\s+bot:{port}\s+resolve;", nginx_conf)
    assert re.search(r"resolver\s+127\.0\.0\.11\b", nginx_conf)
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"):
        assert f"proxy_set_header {header} " in nginx_conf


def test_the_image_runs_the_webhook_and_checks_its_health() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert 'CMD ["python", "-m", "bot", "run", "--webhook"]' in dockerfile
    assert re.search(r"HEALTHCHECK .*/healthz", dockerfile, re.DOTALL)
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.MULTILINE)


def test_the_image_holds_every_package_the_project_installs() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = project["tool"]["setuptools"]["packages"]["find"]["include"]
    for package in (name.rstrip("*") for name in packages):
        assert f"COPY {package} /src/{package}" in dockerfile, f"the image misses {package}/"


def test_the_systemd_template_gives_each_instance_its_port() -> None:
    unit = (DEPLOY / "minqing-bot@.service").read_text(encoding="utf-8")
    start = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    assert "WEBHOOK_PORT=%i" in start
    assert start.endswith("-m bot run --webhook")
    assert "ExecStartPre=" in unit
    assert "-m bot migrate" in unit
