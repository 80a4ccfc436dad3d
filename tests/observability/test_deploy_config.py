"""The observability part of `docker compose up`, checked without Docker: the compose file, Prometheus' scrape
config, Grafana's provisioning and the dashboards' JSON are consistent with each other and with `make up`."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml  # type: ignore[import-untyped]  # pyyaml comes with schemathesis (dev); no stubs installed

from infra.engines.base import REPO_ROOT
from infra.engines.prometheus import Prometheus
from scripts import stack
from tests.observability.dashboards import (
    DASHBOARDS_DIR,
    dashboards,
    datasource_uids,
    panels,
    prometheus_targets,
    targets,
)

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
SCRAPE_CONFIG = REPO_ROOT / "deploy" / "prometheus.yml"
ALLOY_CONFIG = REPO_ROOT / "deploy" / "alloy" / "config.alloy"
# A metric selector: a metric name (not a function, keyword or label) followed by {...}.
SELECTOR = re.compile(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}")


def mounts(service: str) -> dict[str, str]:
    """Host path -> container path of a compose service's bind mounts."""
    found = {}
    for volume in COMPOSE["services"][service].get("volumes", []):
        host, container = volume.split(":")[:2]
        found[host] = container
    return found


def compose_name(service: str) -> str:
    """The compose service of a service of `make up` (a DNS name: hyphens, not underscores)."""
    return service.replace("_", "-")


def test_compose_runs_the_observability_stack() -> None:
    services = COMPOSE["services"]
    assert {"prometheus", "grafana", "loki", "alloy", "jaeger"} <= set(services)
    assert services["jaeger"]["ports"] == ["${T1_JAEGER_PUBLISHED_PORT:-16686}:16686"]
    for service, _address in stack.scrape_targets(stack.services()):
        assert services[compose_name(service)]["environment"]["T1_TRACING_ENDPOINT"] == "http://jaeger:4317"
    assert mounts("grafana") == {
        "./deploy/grafana/provisioning": "/etc/grafana/provisioning",
        "./deploy/grafana/dashboards": "/var/lib/grafana/dashboards",
        "grafana": "/var/lib/grafana",
    }
    prometheus = mounts("prometheus")
    assert prometheus["./deploy/prometheus.yml"] == "/etc/prometheus/prometheus.yml"
    assert prometheus["./deploy/prometheus"] == "/etc/prometheus/t1"
    assert mounts("alloy")["./deploy/alloy/config.alloy"] == "/etc/alloy/config.alloy"
    assert mounts("alloy")["/var/run/docker.sock"] == "/var/run/docker.sock"  # reads the containers' logs
    named = {volume.split(":")[0] for service in services.values() for volume in service.get("volumes", [])}
    assert {name for name in named if not name.startswith(("./", "/", "$"))} <= set(COMPOSE["volumes"])


def test_compose_prometheus_scrapes_every_service_of_make_up_and_loads_the_rules() -> None:
    """Every service of `make up` by its compose name, on the metrics port compose gives it (make up's)."""
    config = yaml.safe_load(SCRAPE_CONFIG.read_text())
    assert config["rule_files"] == ["/etc/prometheus/t1/rules.yml"]
    t1 = next(job for job in config["scrape_configs"] if job["job_name"] == "t1")
    scraped = {(group["labels"]["service"], group["targets"][0]) for group in t1["static_configs"]}
    expected = {
        (service, f"{compose_name(service)}:{address.rsplit(':', 1)[1]}")
        for service, address in stack.scrape_targets(stack.services())
    }
    assert scraped == expected
    for service, target in scraped:
        environment = COMPOSE["services"][compose_name(service)]["environment"]
        assert target == f"{compose_name(service)}:{environment['T1_METRICS_PORT']}"
        assert environment["T1_METRICS_HOST"] == "0.0.0.0"
    for group in t1["static_configs"]:
        assert group["labels"]["job"] == group["labels"]["service"]


def test_compose_prometheus_config_is_valid(tmp_path: Path) -> None:
    Prometheus().ensure_installed()  # promtool comes with it
    rules = REPO_ROOT / "deploy" / "prometheus" / "rules.yml"
    config = tmp_path / "prometheus.yml"
    config.write_text(SCRAPE_CONFIG.read_text().replace("/etc/prometheus/t1/rules.yml", str(rules)))
    checked = subprocess.run(
        ["promtool", "check", "config", str(config)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_alloy_ships_every_service_log_with_its_service_and_level() -> None:
    """Alloy finds the containers labelled t1.service and makes the label Loki's `service`."""
    text = ALLOY_CONFIG.read_text()
    assert 'values = ["t1.service"]' in text
    assert 'source_labels = ["__meta_docker_container_label_t1_service"]' in text
    for service, _address in stack.scrape_targets(stack.services()):
        assert COMPOSE["services"][compose_name(service)]["labels"] == {"t1.service": service}
    assert 'values = { level = "" }' in text
    assert "http://loki:3100/loki/api/v1/push" in text


def test_datasources_have_the_uids_the_dashboards_use() -> None:
    provisioned = yaml.safe_load(
        (DASHBOARDS_DIR.parent / "provisioning" / "datasources" / "t1.yml").read_text()
    )
    kinds = {source["type"]: source for source in provisioned["datasources"]}
    assert set(kinds) == {"prometheus", "loki", "jaeger"}
    assert kinds["prometheus"]["url"] == "http://prometheus:9090"
    assert kinds["loki"]["url"] == "http://loki:3100"
    assert kinds["jaeger"]["url"] == "http://jaeger:16686"
    provider = yaml.safe_load((DASHBOARDS_DIR.parent / "provisioning" / "dashboards" / "t1.yml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"


def test_dashboards_are_well_formed() -> None:
    boards = dashboards()
    assert set(boards) == {"pipeline.json", "service-red.json", "kafka.json", "support-desk.json"}
    uids = datasource_uids()
    assert len({board["uid"] for board in boards.values()}) == len(boards)
    for name, board in boards.items():
        ids = [panel["id"] for panel in panels(board)]
        assert len(ids) == len(set(ids)), f"{name}: panel ids repeat"
        for panel in panels(board):
            if panel["type"] == "row":
                continue
            assert panel["datasource"]["uid"] in uids, f"{name} / {panel['title']}"
            assert panel["targets"], f"{name} / {panel['title']} has no query"
        for target in targets(board):
            assert target.datasource_uid in uids, target.name
            assert target.expr, target.name
        for variable in board["templating"]["list"]:
            assert variable["datasource"]["uid"] in uids, f"{name}: ${variable['name']}"


def test_every_prometheus_query_can_be_scoped_to_instances() -> None:
    """Each selector filters on $instance: a dashboard can show one install (and the live test its own)."""
    for target in prometheus_targets():
        selectors = SELECTOR.findall(target.expr)
        assert selectors, target.name
        for metric, matchers in selectors:
            assert 'instance=~"$instance"' in matchers, f"{target.name}: {metric}{{{matchers}}}"
