"""`make compose-check` (infra/tools/composecheck): docker-compose.yml passes, and each kind of mistake the
check exists for makes it fail, so it cannot pass silently. Also the Dockerfile's own rules (hadolint, a
Haskell program, is not to be had here)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # pyyaml comes with schemathesis (dev); no stubs installed

from infra.engines.base import REPO_ROOT
from infra.tools.composecheck import COMPOSE_FILE, ENV_EXAMPLE, check
from scripts.stack import services as stack_services

Compose = dict[str, Any]
DOCKERFILE = REPO_ROOT / "Dockerfile"
JWT_REQUIRED = "${T1_JWT_SECRET:?set T1_JWT_SECRET in .env (see .env.example)}"


def test_compose_file_passes() -> None:
    result = check()
    assert result.returncode == 0, result.stderr
    assert "valid against the Compose specification" in result.stdout


def edit_yaml(change: Callable[[Compose], None]) -> Callable[[str], str]:
    """A text edit that loads the file, changes it and writes it back (anchors and merges expanded)."""

    def edit(text: str) -> str:
        compose = yaml.safe_load(text)
        change(compose)
        return str(yaml.safe_dump(compose, sort_keys=False))

    return edit


def services(compose: Compose) -> dict[str, Any]:
    found: dict[str, Any] = compose["services"]
    return found


BROKEN: dict[str, tuple[Callable[[str], str], str]] = {
    "an engine without a healthcheck": (
        edit_yaml(lambda compose: services(compose)["kafka"].pop("healthcheck")),
        'service "kafka" has no healthcheck',
    ),
    "a service with its healthcheck disabled": (
        edit_yaml(lambda compose: services(compose)["stats"].update(healthcheck={"disable": True})),
        'service "stats" has its healthcheck disabled',
    ),
    "a latest image": (
        lambda text: text.replace("image: redis:7.4.11-alpine", "image: redis:latest"),
        'service "redis": image "redis:latest" uses the tag latest',
    ),
    "an image without a tag": (
        lambda text: text.replace("image: qdrant/qdrant:v1.19.0", "image: qdrant/qdrant"),
        'service "qdrant": image "qdrant/qdrant" has no tag',
    ),
    "a secret with a default": (
        lambda text: text.replace(JWT_REQUIRED, "${T1_JWT_SECRET:-changeme}"),
        "secret T1_JWT_SECRET must be required",
    ),
    "a literal secret": (
        lambda text: text.replace(
            "MINIO_ROOT_PASSWORD: ${T1_S3_SECRET_KEY:?set T1_S3_SECRET_KEY in .env (see .env.example)}",
            "MINIO_ROOT_PASSWORD: minioadmin",
        ),
        'MINIO_ROOT_PASSWORD of service "minio" is a literal secret',
    ),
    "a key the specification does not have": (
        edit_yaml(lambda compose: services(compose)["jaeger"].update(imagee="jaegertracing/jaeger:2.17.0")),
        "services.jaeger.imagee",
    ),
    "a value of the wrong type": (
        edit_yaml(lambda compose: services(compose)["mongo"].update(ports="27017")),
        "services.mongo.ports",
    ),
    "a service of the product missing": (
        edit_yaml(lambda compose: services(compose).pop("stats")),
        'service "stats" (a service of the product) is missing',
    ),
    "a dependency that does not wait for health": (
        edit_yaml(
            lambda compose: services(compose)["gateway"]["depends_on"].update(
                kafka={"condition": "service_started"}
            )
        ),
        'service "gateway" depends on "kafka" with condition "service_started"',
    ),
    "a variable the example env file does not list": (
        lambda text: text.replace("${T1_LOG_LEVEL:-INFO}", "${T1_UNLISTED_LEVEL:-INFO}"),
        "variable T1_UNLISTED_LEVEL is not listed in the example env file",
    ),
}


@pytest.mark.parametrize("mistake", list(BROKEN))
def test_compose_check_fails_on(mistake: str, tmp_path: Path) -> None:
    edit, message = BROKEN[mistake]
    original = COMPOSE_FILE.read_text()
    broken = edit(original)
    assert broken != original, "the edit did not apply: the test no longer breaks anything"
    compose_file = tmp_path / "docker-compose.yml"
    compose_file.write_text(broken)
    result = check(compose_file)
    assert result.returncode == 1, result.stdout
    assert message in result.stderr


def test_compose_check_fails_when_a_required_variable_is_not_in_the_example(tmp_path: Path) -> None:
    """compose refuses to start without T1_JWT_SECRET: the check must too, when .env.example lacks it."""
    env_example = tmp_path / ".env.example"
    env_example.write_text(re.sub(r"(?m)^T1_JWT_SECRET=\n", "", ENV_EXAMPLE.read_text()))
    result = check(env_example=env_example)
    assert result.returncode == 1
    assert "required variable T1_JWT_SECRET is missing a value" in result.stderr
    assert "variable T1_JWT_SECRET is not listed in the example env file" in result.stderr


def test_compose_check_fails_when_a_new_service_is_not_in_compose(tmp_path: Path) -> None:
    services_dir = tmp_path / "services"
    shutil.copytree(REPO_ROOT / "services", services_dir, ignore=shutil.ignore_patterns("__pycache__"))
    (services_dir / "audit_log").mkdir()
    (services_dir / "audit_log" / "__main__.py").write_text("")
    result = check(services_dir=services_dir)
    assert result.returncode == 1
    assert 'service "audit-log" (a service of the product) is missing' in result.stderr


# --- the Dockerfile ----------------------------------------------------------------------------------------


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last_from = max(index for index, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last_from:]


# An exact version: 1.2.3 in the tag (suffixes like -slim-bookworm allowed), or a digest.
EXACT = re.compile(r"^[\w./-]+(:v?\d+\.\d+\.\d+[\w.-]*)?(@sha256:[0-9a-f]{64})?$")


def test_dockerfile_is_multi_stage_with_pinned_bases() -> None:
    steps = instructions()
    bases = [arguments.split()[0] for keyword, arguments in steps if keyword == "FROM"]
    assert len(bases) >= 3, "console, dependencies and runtime stages"
    stage_names = {
        arguments.split()[-1] for keyword, arguments in steps if keyword == "FROM" and " AS " in arguments
    }
    copied_from = [
        match.group(1)
        for keyword, arguments in steps
        if keyword == "COPY"
        for match in [re.search(r"--from=(\S+)", arguments)]
        if match
    ]
    for image in bases + [name for name in copied_from if name not in stage_names]:
        assert EXACT.match(image), f"{image} is not pinned to an exact version"
        assert ":" in image or "@" in image, f"{image} has no tag"
        assert not image.endswith(":latest"), image


def test_dockerfile_runs_as_a_user_with_a_healthcheck_and_the_locked_dependencies() -> None:
    final = final_stage()
    users = [arguments for keyword, arguments in final if keyword == "USER"]
    assert users, "the runtime stage sets no USER: it would run as root"
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert any(keyword == "HEALTHCHECK" and "/livez" in arguments for keyword, arguments in final)
    assert any(keyword == "ENTRYPOINT" for keyword, _ in final)
    runs = " ".join(arguments for keyword, arguments in instructions() if keyword == "RUN")
    assert "uv sync --frozen --no-dev" in runs
    assert "npm ci" in runs
    assert "tesseract-ocr-rus" in runs


def test_dockerignore_keeps_local_state_and_secrets_out() -> None:
    ignored = set((REPO_ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".data", ".env", "**/node_modules", "**/__pycache__"} <= ignored


def test_every_compose_service_of_the_product_runs_the_image_with_its_module() -> None:
    """The command of each product service is the module scripts/stack.py runs for it."""
    compose = yaml.safe_load(COMPOSE_FILE.read_text())["services"]
    for service in stack_services():
        name = service.name.replace("_", "-")
        assert compose[name]["command"][0] == service.module, name
        assert compose[name]["image"] == compose["gateway"]["image"], name
