"""Jaeger (v2, the all-in-one `cmd/jaeger`), built with the Go toolchain from the module pinned by go.mod
and go.sum beside this file (a `tool` directive), with bounded in-memory storage: the trace backend that
`make up` and the tests export spans to over OTLP/gRPC, and whose HTTP API (`/api/traces`) finds them."""

from __future__ import annotations

from pathlib import Path

from infra.engines.base import HOST, Engine, env_port, http_ok
from infra.engines.golang import build_tool, tool_binary

VERSION = "v1.75.0"
TOOL = "github.com/jaegertracing/jaeger/cmd/jaeger"
MODULE_DIR = Path(__file__).resolve().parent
# Traces kept in memory; the oldest go first. ~20 spans a message: some hundred MB at most.
MAX_TRACES = 20_000


class Jaeger(Engine):
    name = "jaeger"
    default_port = 16686  # the UI and the query API
    start_timeout_s = 60

    @property
    def otlp_port(self) -> int:
        return env_port("jaeger_otlp", 4317)

    @property
    def health_port(self) -> int:
        return env_port("jaeger_health", 13133)

    @property
    def binary(self) -> Path:
        return tool_binary(MODULE_DIR, "jaeger", VERSION)

    @property
    def config_file(self) -> Path:
        return self.data_dir / "jaeger.yaml"

    def installed(self) -> bool:
        return self.binary.is_file()

    def install(self) -> None:
        build_tool(MODULE_DIR, TOOL, self.binary)

    def config(self) -> str:
        return f"""service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    resource:
      service.name: jaeger
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_query:
    storage:
      traces: memstore
    enable_tracing: false
    http:
      endpoint: {HOST}:{self.port}
    grpc:
      endpoint: {HOST}:{self.port - 1}
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: {MAX_TRACES}
  healthcheckv2:
    use_v2: true
    http:
      endpoint: {HOST}:{self.health_port}
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: {HOST}:{self.otlp_port}
processors:
  batch:
    timeout: 200ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
"""

    def prepare(self) -> None:
        self.config_file.write_text(self.config())

    def current(self) -> bool:
        return self.config_file.is_file() and self.config_file.read_text() == self.config()

    def command(self) -> list[str]:
        return [str(self.binary), f"--config=file:{self.config_file}"]

    def healthy(self) -> bool:
        return http_ok(f"http://{HOST}:{self.port}/api/services")

    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def otlp_endpoint(self) -> str:
        return f"http://{HOST}:{self.otlp_port}"
