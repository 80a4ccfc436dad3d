"""Reading the Grafana dashboards under deploy/grafana/dashboards: their panels, targets and the PromQL with
Grafana's variables replaced, to run against a Prometheus."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml  # type: ignore[import-untyped]  # pyyaml comes with schemathesis (dev); no stubs installed

from infra.engines.base import REPO_ROOT

GRAFANA_DIR = REPO_ROOT / "deploy" / "grafana"
DASHBOARDS_DIR = GRAFANA_DIR / "dashboards"
DATASOURCES_FILE = GRAFANA_DIR / "provisioning" / "datasources" / "t1.yml"
PROMETHEUS_TYPE = "prometheus"


@dataclass(frozen=True)
class Target:
    dashboard: str
    panel: str
    ref_id: str
    datasource_type: str
    datasource_uid: str
    expr: str

    @property
    def name(self) -> str:
        return f"{self.dashboard} / {self.panel} [{self.ref_id}]"


def dashboards() -> dict[str, dict[str, Any]]:
    """File name -> the dashboard's JSON."""
    return {path.name: json.loads(path.read_text()) for path in sorted(DASHBOARDS_DIR.glob("*.json"))}


def panels(board: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel, those inside collapsed rows too."""
    for panel in board.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def targets(board: Mapping[str, Any]) -> Iterator[Target]:
    for panel in panels(board):
        for target in panel.get("targets", []):
            datasource = target.get("datasource") or panel.get("datasource") or {}
            yield Target(
                board["title"],
                panel["title"],
                target["refId"],
                datasource.get("type", ""),
                datasource.get("uid", ""),
                target.get("expr", ""),
            )


def prometheus_targets() -> list[Target]:
    return [
        target
        for board in dashboards().values()
        for target in targets(board)
        if target.datasource_type == PROMETHEUS_TYPE
    ]


def substitute(expr: str, variables: Mapping[str, str]) -> str:
    """`expr` with $name / ${name} replaced, the longest names first ($__rate_interval before $__range)."""
    for name in sorted(variables, key=len, reverse=True):
        expr = expr.replace("${" + name + "}", variables[name]).replace("$" + name, variables[name])
    return expr


def datasource_uids() -> set[str]:
    provisioned = yaml.safe_load(DATASOURCES_FILE.read_text())
    return {source["uid"] for source in provisioned["datasources"]}
