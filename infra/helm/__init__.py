"""The chart's checks: helm (v4) and kubeconform built with the Go toolchain from the module pinned by
go.mod and go.sum beside this file (`tool` directives), cached in ~/.cache/t1/bin; Kubernetes JSON schemas
made offline (schemas.py). `python -m infra.helm` (`make chart-check`) runs them on deploy/helm/t1-support.

helm is v4.3.2: the issue asked for v3.22, but the package list of this workplace does not approve
helm.sh/helm/v3 v3.22.0 (served, not approved) and prefers helm.sh/helm/v4; the chart is apiVersion v2,
which helm 3 and 4 both install.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from infra.engines.base import REPO_ROOT
from infra.engines.golang import build_tool, tool_binary
from infra.helm.schemas import KUBERNETES_VERSION, ensure_schemas

MODULE_DIR = Path(__file__).resolve().parent
CHART = REPO_ROOT / "deploy" / "helm" / "t1-support"
RELEASE = "t1"
NAMESPACE = "t1"
# Custom resources whose schemas Kubernetes' spec does not carry (the Prometheus operator's PodMonitor):
# kubeconform skips them, helm lint and template still render them.
SKIPPED_KINDS = ("PodMonitor",)


@dataclass(frozen=True)
class Tool:
    name: str
    version: str
    package: str

    @property
    def binary(self) -> Path:
        return tool_binary(MODULE_DIR, self.name, self.version)

    def ensure(self) -> Path:
        if not self.binary.is_file():
            build_tool(MODULE_DIR, self.package, self.binary)
        return self.binary


HELM = Tool("helm", "v4.3.2", "helm.sh/helm/v4/cmd/helm")
KUBECONFORM = Tool("kubeconform", "v0.8.0", "github.com/yannh/kubeconform/cmd/kubeconform")


def _values_args(values: Sequence[Path], set_values: Sequence[str]) -> list[str]:
    args: list[str] = []
    for path in values:
        args += ["--values", str(path)]
    for assignment in set_values:
        args += ["--set", assignment]
    return args


def lint(
    values: Sequence[Path] = (), set_values: Sequence[str] = (), chart: Path = CHART
) -> subprocess.CompletedProcess[str]:
    """`helm lint --strict` (warnings fail too)."""
    return subprocess.run(
        [HELM.ensure(), "lint", "--strict", chart, *_values_args(values, set_values)],
        capture_output=True,
        text=True,
    )


def template(
    values: Sequence[Path] = (), set_values: Sequence[str] = (), chart: Path = CHART
) -> subprocess.CompletedProcess[str]:
    """`helm template`: the manifests on stdout, or a failed run with the chart's `fail` message."""
    return subprocess.run(
        [
            HELM.ensure(),
            "template",
            RELEASE,
            chart,
            "--namespace",
            NAMESPACE,
            "--kube-version",
            KUBERNETES_VERSION,
            *_values_args(values, set_values),
        ],
        capture_output=True,
        text=True,
    )


def validate(manifests: str) -> subprocess.CompletedProcess[str]:
    """`kubeconform -strict` of YAML manifests against the offline schemas (unknown fields fail, and so
    does a kind without a schema unless it is one of SKIPPED_KINDS)."""
    return subprocess.run(
        [
            KUBECONFORM.ensure(),
            "-strict",
            "-summary",
            "-kubernetes-version",
            KUBERNETES_VERSION.removeprefix("v"),
            "-schema-location",
            str(ensure_schemas()),
            "-skip",
            ",".join(SKIPPED_KINDS),
            "-",
        ],
        input=manifests,
        capture_output=True,
        text=True,
    )
