"""The Helm chart's check (`make chart-check`): helm lint and helm template | kubeconform -strict pass with
the default and the scaled values, and each fails on what it is there to catch: values the chart refuses
(a second bot without the webhook, a second ml without a Qdrant server, a webhook Telegram cannot post to)
and a manifest Kubernetes would reject."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped]  # pyyaml comes with schemathesis (dev); no stubs installed

from infra.helm import CHART, HELM, KUBECONFORM, template, validate
from infra.helm.__main__ import check
from infra.helm.schemas import ensure_schemas

SCALED = CHART / "ci" / "scaled-values.yaml"
MODULES = {
    "gateway",
    *(f"services.{name}" for name in ("message_saver", "notifications", "bot", "ml", "summarizer", "stats")),
}
WEBHOOK = "https://support.example.com/telegram/webhook"

# The first run builds helm (minutes on a cold Go cache); later runs find it in ~/.cache/t1/bin.
pytestmark = pytest.mark.timeout(1200)


@pytest.fixture(scope="module", autouse=True)
def tools() -> None:
    HELM.ensure()
    KUBECONFORM.ensure()
    ensure_schemas()


def test_default_and_scaled_values_lint_render_and_validate() -> None:
    assert check([]) == []
    assert check([SCALED]) == []


def test_scaled_values_run_several_pods_behind_headless_grpc_services() -> None:
    rendered = template([SCALED])
    assert rendered.returncode == 0, rendered.stderr
    manifests = rendered.stdout
    assert manifests.count("clusterIP: None") == 3  # message_saver, stats, ml
    assert "dns:///t1-t1-support-message-saver.t1.svc.cluster.local:8001" in manifests
    assert manifests.count("kind: PodDisruptionBudget") == 7
    assert manifests.count("kind: HorizontalPodAutoscaler") == 5
    assert "name: t1_kafka_consumer_lag" in manifests
    assert f'value: "{WEBHOOK}"' in manifests


def test_pods_that_need_a_whole_stream_each_have_a_group_of_their_own() -> None:
    """stats pods keep every figure and message_saver pods a whole search index: each reads every event, in
    a consumer group named after the pod; stats pods have stable names (a StatefulSet), so a restarted pod
    keeps its group's offsets."""
    rendered = template([SCALED])
    assert rendered.returncode == 0, rendered.stderr
    docs = [doc for doc in yaml.safe_load_all(rendered.stdout) if doc]
    workloads = {
        doc["metadata"]["name"].rsplit("-", 1)[-1]: doc
        for doc in docs
        if doc["kind"] in ("Deployment", "StatefulSet")
    }
    assert workloads["stats"]["kind"] == "StatefulSet"
    env = {
        item["name"]: item.get("value")
        for item in workloads["stats"]["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert env["T1_CONSUMER_GROUP"] == "stats-$(POD_NAME)"
    saver = next(doc for name, doc in workloads.items() if name == "saver")
    env = {
        item["name"]: item.get("value") for item in saver["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert env["T1_SEARCH_CONSUMER_GROUP"] == "message_saver-search-$(POD_NAME)"
    scaled = {
        doc["spec"]["scaleTargetRef"]["name"]: doc["spec"]["scaleTargetRef"]["kind"]
        for doc in docs
        if doc["kind"] == "HorizontalPodAutoscaler"
    }
    for name, kind in scaled.items():
        assert kind == ("StatefulSet" if name.endswith("stats") else "Deployment")


def test_every_pod_is_probed_and_locked_down() -> None:
    rendered = template([SCALED])
    assert rendered.returncode == 0, rendered.stderr
    workloads = ("Deployment", "StatefulSet")
    deployments = [doc for doc in yaml.safe_load_all(rendered.stdout) if doc and doc["kind"] in workloads]
    assert len(deployments) == 7
    for deployment in deployments:
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        (container,) = pod["containers"]
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
        probe_port = "http" if container["name"] == "gateway" else "ops"
        assert container["livenessProbe"]["httpGet"] == {"path": "/livez", "port": probe_port}
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": probe_port}
        assert set(container["resources"]) == {"requests", "limits"}
        assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
        # The image's ENTRYPOINT is `python -m`: the container names only the module it runs.
        (module,) = container["args"]
        assert module in MODULES, module
    assert 'ENTRYPOINT ["python", "-m"]' in (CHART.parents[2] / "Dockerfile").read_text()


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        (["bot.replicas=2"], "long polling allows one receiver"),
        (["bot.autoscaling.enabled=true"], "long polling allows one receiver"),
        (["ml.replicas=2"], "need a Qdrant server"),
        (["bot.webhook.enabled=true"], "needs bot.webhook.url or the Ingress"),
        (["bot.webhook.enabled=true", "bot.webhook.url=http://plain.example.com/hook"], "https://"),
    ],
)
def test_values_that_cannot_work_fail_the_template(settings: list[str], reason: str) -> None:
    rendered = template(set_values=settings)
    assert rendered.returncode != 0
    assert reason in rendered.stderr


@pytest.mark.parametrize(
    "settings",
    [
        ["bot.replicas=2", "bot.webhook.enabled=true", f"bot.webhook.url={WEBHOOK}"],
        ["ml.replicas=2", "qdrant.url=http://qdrant:6333"],
        ["messageSaver.replicas=2"],
    ],
)
def test_the_same_replicas_render_where_they_can_run(settings: list[str]) -> None:
    rendered = template(set_values=settings)
    assert rendered.returncode == 0, rendered.stderr
    assert validate(rendered.stdout).returncode == 0


def test_kubeconform_rejects_what_kubernetes_would() -> None:
    rendered = template()
    assert rendered.returncode == 0, rendered.stderr
    manifests = rendered.stdout
    assert validate(manifests).returncode == 0

    misspelt = manifests.replace("imagePullPolicy: IfNotPresent", "imagePulPolicy: IfNotPresent", 1)
    result = validate(misspelt)
    assert result.returncode != 0
    assert "additional properties 'imagePulPolicy' not allowed" in result.stdout

    mistyped = manifests.replace("revisionHistoryLimit: 5", "revisionHistoryLimit: five", 1)
    result = validate(mistyped)
    assert result.returncode != 0
    assert "got string, want integer" in result.stdout

    unknown = validate("apiVersion: v1\nkind: Nonsense\nmetadata:\n  name: x\n")
    assert unknown.returncode != 0
    assert "could not find schema for Nonsense" in unknown.stdout


def test_the_check_fails_on_a_broken_template(tmp_path: Path) -> None:
    chart = tmp_path / "t1-support"
    shutil.copytree(CHART, chart)
    service = chart / "templates" / "services.yaml"
    broken = service.read_text().replace("  clusterIP: None", "  clusterIP: None\n  headless: true")
    service.write_text(broken)
    failures = check([], chart=chart)
    assert len(failures) == 1
    assert failures[0].startswith("kubeconform (default values) failed")
    assert "additional properties 'headless' not allowed" in failures[0]
