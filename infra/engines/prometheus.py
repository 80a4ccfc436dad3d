"""Prometheus from Debian's package. It scrapes what the target files list: `make up` writes one for the
services it runs (scripts/stack.py), a test writes one for the processes it starts, each a file_sd JSON
file under <data dir>/prometheus/targets/ (picked up within seconds, no restart). The recording and alert
rules are deploy/prometheus/rules.yml."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

from infra.engines import apt
from infra.engines.base import HOST, REPO_ROOT, Engine, http_ok

RULES_FILE = REPO_ROOT / "deploy" / "prometheus" / "rules.yml"
# Locally a few seconds, so a test sees a rate after ~15 s; docker-compose.yml keeps 15 s.
SCRAPE_INTERVAL_S = 5


class Prometheus(Engine):
    name = "prometheus"
    default_port = 9090
    start_timeout_s = 30

    @property
    def targets_dir(self) -> Path:
        return self.data_dir / "targets"

    @property
    def config_file(self) -> Path:
        return self.data_dir / "prometheus.yml"

    def config(self) -> str:
        return (
            f"global:\n  scrape_interval: {SCRAPE_INTERVAL_S}s\n  evaluation_interval: {SCRAPE_INTERVAL_S}s\n"
            f"rule_files: ['{RULES_FILE}']\n"
            "scrape_configs:\n"
            "  - job_name: t1\n"
            "    file_sd_configs:\n"
            f"      - files: ['{self.targets_dir}/*.json']\n"
            "        refresh_interval: 5s\n"
        )

    def installed(self) -> bool:
        return shutil.which("prometheus") is not None

    def install(self) -> None:
        apt.ensure(["prometheus"])

    def prepare(self) -> None:
        self.targets_dir.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(self.config())

    def current(self) -> bool:
        """Running with the config this code writes (an older install's is replaced by a restart)."""
        return self.config_file.is_file() and self.config_file.read_text() == self.config()

    def command(self) -> list[str]:
        return [
            "prometheus",
            f"--config.file={self.config_file}",
            f"--storage.tsdb.path={self.data_dir / 'tsdb'}",
            f"--web.listen-address={HOST}:{self.port}",
            "--storage.tsdb.retention.time=7d",
            "--web.enable-lifecycle",  # POST /-/reload picks up edited rules
        ]

    def healthy(self) -> bool:
        return http_ok(f"http://{HOST}:{self.port}/-/ready")

    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def write_targets(self, name: str, targets: Sequence[tuple[str, str]]) -> Path:
        """Scrape `targets` ((service, host:port) pairs) until `remove_targets(name)`; each series gets the
        labels job=<service> and service=<service>."""
        self.targets_dir.mkdir(parents=True, exist_ok=True)
        groups = [
            {"targets": [address], "labels": {"job": service, "service": service}}
            for service, address in targets
        ]
        path = self.targets_dir / f"{name}.json"
        staging = path.with_suffix(".tmp")  # not *.json: Prometheus never reads a half-written file
        staging.write_text(json.dumps(groups, indent=2))
        staging.replace(path)
        return path

    def remove_targets(self, name: str) -> None:
        (self.targets_dir / f"{name}.json").unlink(missing_ok=True)
