"""`python3 -m infra.tools.composecheck`: validate docker-compose.yml (`make compose-check`, part of lint)."""

from __future__ import annotations

import sys

from infra.tools.composecheck import check


def main() -> int:
    result = check()
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
