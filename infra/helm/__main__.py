"""`python -m infra.helm` (`make chart-check`): `helm lint --strict` and `helm template | kubeconform -strict`
of deploy/helm/t1-support with its default values and with each ci/*-values.yaml (the chart scaled out).
Builds helm and kubeconform and makes the schemas on first use (cached under ~/.cache/t1)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from infra.helm import CHART, lint, template, validate


def check(values: Sequence[Path], chart: Path = CHART) -> list[str]:
    """The failures of one set of values files (none: the chart lints, renders and validates)."""
    label = ", ".join(path.name for path in values) or "default values"
    failures: list[str] = []
    linted = lint(values, chart=chart)
    if linted.returncode != 0:
        failures.append(f"helm lint ({label}) failed:\n{linted.stdout}{linted.stderr}")
    rendered = template(values, chart=chart)
    if rendered.returncode != 0:
        return [*failures, f"helm template ({label}) failed:\n{rendered.stderr}"]
    validated = validate(rendered.stdout)
    if validated.returncode != 0:
        failures.append(f"kubeconform ({label}) failed:\n{validated.stdout}{validated.stderr}")
    else:
        print(f"{label}: {validated.stdout.strip().splitlines()[-1]}")
    return failures


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.helm", description=__doc__)
    parser.add_argument("--chart", type=Path, default=CHART)
    args = parser.parse_args(argv)
    cases: list[list[Path]] = [[], *([path] for path in sorted((args.chart / "ci").glob("*-values.yaml")))]
    failures = [failure for values in cases for failure in check(values, args.chart)]
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
