"""Kubernetes JSON schemas for kubeconform, made offline from the OpenAPI spec that ships in the
`k8s.io/kubernetes` module (fetched through the Go module proxy and checked against a pinned hash).

kubeconform looks a manifest's schema up as
`<dir>/<version>-standalone-strict/<kind>-<group>-<api version>.json`: one self-contained schema per kind,
every `$ref` expanded, objects closed (`additionalProperties: false`) so that a misspelt or misplaced field
fails. The transformations are kubeconform's own (`scripts/openapi2jsonschema.py` in its module, the one
that makes its CRD schemas; the same as instrumenta's openapi2jsonschema that made the published schemas):
closed objects, int-or-string as a oneOf, optional fields that may be null. Two things are ours: a quantity
(`cpu: 1` or `cpu: 500m`) may be a number or a string, as the API server accepts; and a `$ref` that would
recurse (only CustomResourceDefinition's JSONSchemaProps does) is left open instead of expanded forever.
The result is cached under ~/.cache/t1/kube-schemas, keyed by the Kubernetes version and this converter.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

from infra.engines.base import CACHE_DIR, log
from infra.engines.golang import GOMODCACHE, download_module

# The release of the k8s.io modules that helm (go.mod beside this file) is built with.
KUBERNETES_VERSION = "v1.37.2"
KUBERNETES_MODULE = "k8s.io/kubernetes"
KUBERNETES_SUM = "h1:A2VDEiObzkYqFTKhSsn0ZEb0RlLEXpHWj93gi2HqEwE="
SPEC = "api/openapi-spec/swagger.json"
# kubeconform's module (the one go.mod pins) carries the converter whose functions are used here.
KUBECONFORM_MODULE = "github.com/yannh/kubeconform"
KUBECONFORM_VERSION = "v0.8.0"
CONVERTER = "scripts/openapi2jsonschema.py"

QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
REF_PREFIX = "#/definitions/"
GVK = "x-kubernetes-group-version-kind"
_SOURCE_DIGEST = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


def schema_root() -> Path:
    """The directory given to `kubeconform -schema-location`."""
    return CACHE_DIR / "kube-schemas" / f"{KUBERNETES_VERSION}-{KUBECONFORM_VERSION}-{_SOURCE_DIGEST}"


def schema_dir(root: Path) -> Path:
    return root / f"{KUBERNETES_VERSION}-standalone-strict"


def ensure_schemas() -> Path:
    """The schema root, generated on first use."""
    root = schema_root()
    if (root / ".complete").is_file():
        return root
    log(f"generating Kubernetes {KUBERNETES_VERSION} JSON schemas into {root}")
    spec = json.loads((_kubernetes_module() / SPEC).read_text())
    converter = _load_converter()
    tmp = root.with_name(root.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    target = schema_dir(tmp)
    target.mkdir(parents=True)
    for filename, schema in convert(spec["definitions"], converter).items():
        (target / filename).write_text(json.dumps(schema, separators=(",", ":")))
    (tmp / ".complete").write_text(KUBERNETES_VERSION + "\n")
    shutil.rmtree(root, ignore_errors=True)
    tmp.replace(root)
    return root


def convert(definitions: dict[str, Any], converter: ModuleType) -> dict[str, dict[str, Any]]:
    """File name -> standalone strict schema, for each kind the spec defines."""
    definitions = {name: _open_quantity(name, body) for name, body in definitions.items()}
    closed = {name: converter.additional_properties(body) for name, body in definitions.items()}
    closed = converter.replace_int_or_string(closed)
    result: dict[str, dict[str, Any]] = {}
    for name, body in closed.items():
        for gvk in body.get(GVK, []):
            schema = converter.allow_null_optional_fields(_expand(body, closed, (name,)))
            result[file_name(gvk["kind"], gvk["group"], gvk["version"])] = schema
    return result


def file_name(kind: str, group: str, version: str) -> str:
    """kubeconform's `{{ .ResourceKind }}{{ .KindSuffix }}.json`: deployment-apps-v1.json, service-v1.json,
    ingress-networking-v1.json (the group's first label)."""
    suffix = f"-{group.split('.')[0]}-{version}" if group else f"-{version}"
    return f"{kind.lower()}{suffix}.json"


def _open_quantity(name: str, body: dict[str, Any]) -> dict[str, Any]:
    if name != QUANTITY:
        return body
    return {"description": body.get("description", ""), "oneOf": [{"type": "string"}, {"type": "number"}]}


def _expand(node: Any, definitions: dict[str, Any], seen: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_expand(item, definitions, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(REF_PREFIX):
        target = ref.removeprefix(REF_PREFIX)
        if target in seen:
            return {"description": f"{target} (recursive: not checked further)"}
        return _expand(definitions[target], definitions, (*seen, target))
    return {key: _expand(value, definitions, seen) for key, value in node.items() if key != GVK}


def _kubernetes_module() -> Path:
    directory = download_module(KUBERNETES_MODULE, KUBERNETES_VERSION)
    recorded = _module_sum(KUBERNETES_MODULE, KUBERNETES_VERSION)
    if recorded != KUBERNETES_SUM:
        raise RuntimeError(
            f"{KUBERNETES_MODULE}@{KUBERNETES_VERSION} has hash {recorded}, expected {KUBERNETES_SUM}"
        )
    return directory


def _module_sum(module: str, version: str) -> str:
    """The h1: hash the go command recorded for the module's zip when it downloaded and verified it."""
    ziphash = GOMODCACHE / "cache" / "download" / module / "@v" / f"{version}.ziphash"
    return ziphash.read_text().strip()


def _load_converter() -> ModuleType:
    path = download_module(KUBECONFORM_MODULE, KUBECONFORM_VERSION) / CONVERTER
    spec = importlib.util.spec_from_file_location("kubeconform_openapi2jsonschema", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
