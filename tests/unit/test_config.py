import pytest

from t1lib.config import KafkaSettings, MongoSettings, SettingsError, load_settings


class ServiceSettings(KafkaSettings, MongoSettings):
    pass


def test_missing_addresses_are_named_with_their_variables(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("T1_KAFKA_BOOTSTRAP", raising=False)
    monkeypatch.delenv("T1_MONGO_URL", raising=False)
    with pytest.raises(SettingsError) as raised:
        load_settings(ServiceSettings)
    message = str(raised.value)
    assert "T1_KAFKA_BOOTSTRAP is required (Kafka bootstrap servers" in message
    assert "T1_MONGO_URL is required" in message
    assert "T1_KAFKA_BOOTSTRAP" in capsys.readouterr().err


def test_invalid_value_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T1_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    monkeypatch.setenv("T1_MONGO_URL", "mongodb://127.0.0.1:27017")
    monkeypatch.setenv("T1_KAFKA_MAX_ATTEMPTS", "many")
    with pytest.raises(SettingsError, match="T1_KAFKA_MAX_ATTEMPTS is invalid"):
        load_settings(ServiceSettings)


def test_environment_configures_the_service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T1_KAFKA_BOOTSTRAP", "127.0.0.1:19092")
    monkeypatch.setenv("T1_MONGO_URL", "mongodb://127.0.0.1:27017")
    monkeypatch.delenv("T1_KAFKA_MAX_ATTEMPTS", raising=False)
    settings = load_settings(ServiceSettings)
    assert settings.kafka_bootstrap == "127.0.0.1:19092"
    assert settings.mongo_db == "t1"
