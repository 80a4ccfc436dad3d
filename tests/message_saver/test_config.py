"""Settings of message_saver (no engines)."""

from __future__ import annotations

import pytest

from services.message_saver.config import MessageSaverSettings
from t1lib.config import SettingsError, load_settings


def test_missing_addresses_stop_the_service_with_their_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("T1_KAFKA_BOOTSTRAP", raising=False)
    monkeypatch.delenv("T1_MONGO_URL", raising=False)
    with pytest.raises(SettingsError) as raised:
        load_settings(MessageSaverSettings)
    assert "T1_KAFKA_BOOTSTRAP is required" in str(raised.value)
    assert "T1_MONGO_URL is required" in str(raised.value)


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T1_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    monkeypatch.setenv("T1_MONGO_URL", "mongodb://127.0.0.1:27017")
    for name in ("T1_GRPC_PORT", "T1_GRPC_HOST", "T1_CONSUMER_GROUP", "T1_SERVICE_NAME", "T1_MONGO_DB"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(MessageSaverSettings)
    assert settings.grpc_port == 8001
    assert settings.grpc_host == "127.0.0.1"
    assert settings.consumer_group == "message_saver"
    assert settings.service_name == "message_saver"
    assert settings.mongo_db == "t1"
    assert settings.kafka_topic_prefix == ""


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T1_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    monkeypatch.setenv("T1_MONGO_URL", "mongodb://127.0.0.1:27017")
    monkeypatch.setenv("T1_GRPC_PORT", "18001")
    monkeypatch.setenv("T1_KAFKA_TOPIC_PREFIX", "stage.")
    settings = load_settings(MessageSaverSettings)
    assert settings.grpc_port == 18001
    assert settings.kafka_topic_prefix == "stage."
