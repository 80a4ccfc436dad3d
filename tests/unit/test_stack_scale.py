"""`make up SCALE=n`: every instance gets ports of its own, per-instance state of its own, and the clients
every address."""

from __future__ import annotations

from scripts.stack import scaled, scaled_env, services


def test_two_instances_of_every_service_listen_apart_and_keep_their_own_state() -> None:
    listed = scaled(services(), 2)
    names = [service.name for service in listed]
    for name in ("message_saver", "notifications", "bot", "ml", "summarizer", "stats", "gateway"):
        assert {name, f"{name}-2"} <= set(names)
    assert names.count("telegram-sandbox") <= 1
    ports = [service.port for service in listed if service.port]
    ports += [int(service.env["T1_METRICS_PORT"]) for service in listed if "T1_METRICS_PORT" in service.env]
    assert len(ports) == len(set(ports)), sorted(ports)
    second = {service.name: service for service in listed}
    assert second["message_saver-2"].env["T1_GRPC_PORT"] == "8011"
    assert second["message_saver-2"].env["T1_SEARCH_CONSUMER_GROUP"] == "message_saver-2-search"
    assert second["ml-2"].env["T1_QDRANT_PATH"].endswith("qdrant-2")
    assert second["stats-2"].env["T1_CONSUMER_GROUP"] == "stats-2"
    assert second["gateway-2"].env["T1_NOTIFICATIONS_WS_URL"] == "ws://127.0.0.1:8016/ws"
    assert {service.job for service in listed if service.name.startswith("ml")} == {"ml"}


def test_clients_get_every_address_and_bots_share_the_webhook() -> None:
    env = scaled_env({}, 2)
    assert env["T1_TICKETS_GRPC_ADDR"] == "127.0.0.1:8001,127.0.0.1:8011"
    assert env["T1_ML_GRPC_ADDR"] == "127.0.0.1:8004,127.0.0.1:8014"
    assert env["T1_BOT_WEBHOOK_REUSE_PORT"] == "true"
    assert scaled_env({"A": "1"}, 1) == {"A": "1"}
