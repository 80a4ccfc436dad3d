import uuid

import pytest

from infra.engines import kafka


def test_cluster_id_never_starts_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    # 0xF8 encodes to a leading '-' in urlsafe base64: the storage tool took such an id for an option.
    draws = iter([uuid.UUID(bytes=b"\xf8" + b"\x00" * 15), uuid.UUID(bytes=b"\x01" * 16)])
    monkeypatch.setattr(uuid, "uuid4", lambda: next(draws))

    cluster_id = kafka.new_cluster_id()

    assert cluster_id == "AQEBAQEBAQEBAQEBAQEBAQ"
