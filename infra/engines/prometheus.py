"""Prometheus from Debian's package, scraping the services' /metrics endpoints on loopback."""

from __future__ import annotations

import os
import shutil

from infra.engines import apt
from infra.engines.base import HOST, Engine, http_ok

# Services' metrics ports (T1_METRICS_PORT of each service under `make up`).
SCRAPE_TARGETS = os.environ.get(
    "T1_PROMETHEUS_TARGETS",
    "127.0.0.1:9101,127.0.0.1:9102,127.0.0.1:9103,"
    "127.0.0.1:9104,127.0.0.1:9105,127.0.0.1:9106,127.0.0.1:9107",
)


class Prometheus(Engine):
    name = "prometheus"
    default_port = 9090
    start_timeout_s = 30

    def installed(self) -> bool:
        return shutil.which("prometheus") is not None

    def install(self) -> None:
        apt.ensure(["prometheus"])

    def prepare(self) -> None:
        targets = ", ".join(f"'{target.strip()}'" for target in SCRAPE_TARGETS.split(",") if target.strip())
        (self.data_dir / "prometheus.yml").write_text(
            "global:\n  scrape_interval: 15s\n"
            "scrape_configs:\n"
            "  - job_name: t1\n"
            f"    static_configs:\n      - targets: [{targets}]\n"
        )

    def command(self) -> list[str]:
        return [
            "prometheus",
            f"--config.file={self.data_dir / 'prometheus.yml'}",
            f"--storage.tsdb.path={self.data_dir / 'tsdb'}",
            f"--web.listen-address={HOST}:{self.port}",
            "--storage.tsdb.retention.time=7d",
        ]

    def healthy(self) -> bool:
        return http_ok(f"http://{HOST}:{self.port}/-/ready")

    def url(self) -> str:
        return f"http://{HOST}:{self.port}"
