import pytest

from gateway.core.config import Settings as GatewaySettings
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


def gateway_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T1_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    monkeypatch.setenv("T1_MONGO_URL", "mongodb://127.0.0.1:27017")
    monkeypatch.setenv("T1_TICKETS_GRPC_ADDR", "127.0.0.1:8001")
    monkeypatch.setenv("T1_NOTIFICATIONS_WS_URL", "ws://127.0.0.1:8006/ws")
    monkeypatch.setenv("T1_JWT_SECRET", "secret-for-the-test")
    monkeypatch.setenv("T1_SERVICE_TOKEN", "service-token-for-the-test")
    monkeypatch.setenv("T1_REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("T1_S3_ENDPOINT", "127.0.0.1:9000")
    monkeypatch.setenv("T1_S3_ACCESS_KEY", "access")
    monkeypatch.setenv("T1_S3_SECRET_KEY", "secret-key")
    monkeypatch.delenv("T1_SLA_WARNING_S", raising=False)
    monkeypatch.delenv("T1_SLA_BREACH_S", raising=False)


def test_sla_thresholds_default_and_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    gateway_env(monkeypatch)
    settings = load_settings(GatewaySettings)
    assert (settings.sla_warning_s, settings.sla_breach_s) == (300, 900)
    monkeypatch.setenv("T1_SLA_WARNING_S", "120")
    monkeypatch.setenv("T1_SLA_BREACH_S", "600")
    settings = load_settings(GatewaySettings)
    assert (settings.sla_warning_s, settings.sla_breach_s) == (120, 600)


@pytest.mark.parametrize(("warning", "breach"), [("900", "300"), ("600", "600"), ("0", "600")])
def test_sla_thresholds_out_of_order_are_refused(
    monkeypatch: pytest.MonkeyPatch, warning: str, breach: str
) -> None:
    gateway_env(monkeypatch)
    monkeypatch.setenv("T1_SLA_WARNING_S", warning)
    monkeypatch.setenv("T1_SLA_BREACH_S", breach)
    with pytest.raises(SettingsError, match="T1_SLA"):
        load_settings(GatewaySettings)
