"""Debian packages the engines need, installed on first use (apt-get update runs at most once)."""

from __future__ import annotations

import os
import shutil
import subprocess

from infra.engines.base import log, run

_updated = False


def missing(packages: list[str]) -> list[str]:
    absent = []
    for package in packages:
        probe = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True, check=False
        )
        if "install ok installed" not in probe.stdout:
            absent.append(package)
    return absent


def ensure(packages: list[str]) -> None:
    global _updated
    absent = missing(packages)
    if not absent:
        return
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    if prefix and shutil.which("sudo") is None:
        raise RuntimeError(f"need root to install {absent}: run `sudo apt-get install {' '.join(absent)}`")
    log(f"apt-get install {' '.join(absent)}")
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    if not _updated:
        run([*prefix, "apt-get", "update", "-q"], env=env)
        _updated = True
    run([*prefix, "apt-get", "install", "-y", "-q", "--no-install-recommends", *absent], env=env)
