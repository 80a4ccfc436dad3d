"""The install's secrets (infra/engines/credentials.py) and engines upgraded to them: generated once into
secrets.env (0600) next to what is already there; an engine still running as an earlier version started it
(no Redis password, the old S3 root keys) is refused by the tests' start and restarted by
`infra.engines up`, its data kept. Each engine runs in a directory of the test's own on a spare port."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import redis
from minio import Minio
from minio.error import S3Error

from infra.engines import credentials
from infra.engines.base import HOST
from infra.engines.redis import Redis
from infra.engines.s3 import S3
from tests.support.servers import free_port


def test_secrets_are_generated_once_beside_the_ones_already_kept(tmp_path: Path) -> None:
    path = tmp_path / "secrets.env"
    path.write_text("T1_JWT_SECRET=kept\nT1_ADMIN_PASSWORD=also-kept\n")
    path.chmod(0o644)

    first = credentials.ensure(path)

    assert first["T1_JWT_SECRET"] == "kept"
    assert first["T1_ADMIN_PASSWORD"] == "also-kept"
    assert set(credentials.INSTALL_SECRETS) <= set(first)
    assert all(len(first[key]) >= 16 for key in credentials.INSTALL_SECRETS)
    assert path.stat().st_mode & 0o777 == 0o600
    assert credentials.ensure(path) == first == credentials.read(path)
    assert credentials.ensure(path, {"T1_EXTRA": lambda: "new"}) == {**first, "T1_EXTRA": "new"}


class RedisBeforeThePassword(Redis):
    """Redis as infra/engines started it before it had a password."""

    def prepare(self) -> None:
        pass

    def command(self) -> list[str]:
        return [
            "redis-server",
            *("--bind", HOST, "--port", str(self.port), "--dir", str(self.data_dir)),
            *("--appendonly", "yes", "--save", "", "--daemonize", "no", "--protected-mode", "yes"),
        ]


def test_a_redis_started_without_the_password_is_restarted_with_it_and_keeps_its_data(
    tmp_path: Path,
) -> None:
    port = free_port()
    engine = Redis(tmp_path, port)  # the same pid file: stops either
    try:
        RedisBeforeThePassword(tmp_path, port).start()
        redis.Redis(host=HOST, port=port).set("t1:kept", "yes")
        assert engine.healthy()
        assert not engine.current()
        with pytest.raises(RuntimeError, match=r"python3 -m infra\.engines up redis"):
            engine.start(restart_stale=False)

        engine.start()

        assert engine.current()
        with pytest.raises(redis.exceptions.AuthenticationError):
            redis.Redis(host=HOST, port=port).get("t1:kept")
        assert redis.Redis.from_url(engine.client_url()).get("t1:kept") == b"yes"
    finally:
        engine.stop()


class S3WithTheOldKeys(S3):
    """The S3 server as infra/engines started it with hard-coded root keys."""

    def env(self) -> dict[str, str]:
        return {"ROOT_ACCESS_KEY_ID": "t1admin", "ROOT_SECRET_ACCESS_KEY": "t1adminsecret"}


def test_an_s3_started_with_the_old_keys_is_restarted_with_the_installs_and_keeps_the_files(
    tmp_path: Path,
) -> None:
    port = free_port()
    engine = S3(tmp_path, port)  # the same pid file: stops either
    try:
        S3WithTheOldKeys(tmp_path, port).start()
        old = Minio(f"{HOST}:{port}", access_key="t1admin", secret_key="t1adminsecret", secure=False)
        old.make_bucket("t1-attachments")
        old.put_object("t1-attachments", "photos/1.jpg", io.BytesIO(b"jpeg"), 4)
        assert not engine.current()
        with pytest.raises(RuntimeError, match=r"python3 -m infra\.engines up s3"):
            engine.start(restart_stale=False)

        engine.start()

        assert engine.current()
        with pytest.raises(S3Error):
            old.list_buckets()
        own = Minio(f"{HOST}:{port}", engine.access_key, engine.secret_key, secure=False)
        assert own.get_object("t1-attachments", "photos/1.jpg").read() == b"jpeg"
    finally:
        engine.stop()
