"""FerretDB v1 (MongoDB wire protocol on SQLite), built from the small Go module in this directory.

`go install .../cmd/ferretdb` panics on the missing build/version/version.txt, so main.go wraps
the embeddable `github.com/FerretDB/FerretDB/ferretdb` package instead; go.sum pins every dependency.

FerretDB itself is built from a patched copy: the build downloads the pinned module through the Go
module proxy (`go mod download -json` gives its directory, verified against go.sum), copies it into a
build directory, applies the *.patch files of PATCHES (unified diffs; every hunk's old text must occur
exactly once, else the build fails) and builds the wrapper with `replace` pointing at that copy.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import socket
import sqlite3
import struct
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from infra.engines.base import BIN_DIR, CACHE_DIR, HOST, Engine, log, port_open, run
from infra.engines.golang import go_binary

MODULE_DIR = Path(__file__).resolve().parent
UPSTREAM = "github.com/FerretDB/FerretDB"
WRAPPER = ("go.mod", "go.sum", "main.go", "idindex.go", "walcheckpoint.go", "lazylog.go")
# Applied in this order to the copy of the upstream module (paths in them are relative to its root).
PATCHES = ("update-close-per-statement.patch", "id-column-matches-index.patch")
FERRETDB_GOGC = "400"
SOURCES = WRAPPER + PATCHES
VERSION: str = re.findall(r"github\.com/FerretDB/FerretDB (v\S+)", (MODULE_DIR / "go.mod").read_text())[0]
# The binary name carries a digest of our sources, so editing main.go, go.sum or a patch triggers a rebuild.
DIGEST = hashlib.sha256(b"".join((MODULE_DIR / name).read_bytes() for name in SOURCES)).hexdigest()[:10]


def _hello_msg() -> bytes:
    """OP_MSG {hello: 1, $db: "admin"} with hand-built BSON."""
    body = b"\x10hello\x00" + struct.pack("<i", 1) + b"\x02$db\x00" + struct.pack("<i", 6) + b"admin\x00"
    doc = struct.pack("<i", len(body) + 5) + body + b"\x00"
    payload = struct.pack("<I", 0) + b"\x00" + doc  # flagBits, section kind 0, document
    return struct.pack("<iiii", 16 + len(payload), 1, 0, 2013) + payload


def mongo_ping(port: int, host: str = HOST) -> bool:
    """True if the server answers hello with ok: 1 (double or int32)."""
    try:
        with socket.create_connection((host, port), timeout=2) as sock:
            sock.sendall(_hello_msg())
            reply = b""
            while len(reply) < 4 or len(reply) < struct.unpack("<i", reply[:4])[0]:
                chunk = sock.recv(65536)
                if not chunk:
                    return False
                reply += chunk
    except OSError:
        return False
    return b"\x01ok\x00" + struct.pack("<d", 1.0) in reply or b"\x10ok\x00" + struct.pack("<i", 1) in reply


class PatchError(RuntimeError):
    pass


HUNK = re.compile(r"@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")


def _hunks(patch: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """(file, old lines, new lines) per hunk of a unified diff, read by the hunk headers' line counts;
    text before the first `---` line is a comment."""
    lines = patch.read_text().splitlines(keepends=True)
    target, i = "", 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.startswith("+++ "):
            target = line[4:].strip().split("\t")[0].removeprefix("b/")
            continue
        header = HUNK.match(line)
        if header is None:
            continue
        if not target:
            raise PatchError(f"{patch.name}: hunk before any +++ line")
        want_old, want_new = (int(n) if n is not None else 1 for n in header.groups())
        old: list[str] = []
        new: list[str] = []
        while len(old) < want_old or len(new) < want_new:
            if i >= len(lines):
                raise PatchError(f"{patch.name}: truncated hunk {line.strip()}")
            body = lines[i]
            i += 1
            tag, text = body[:1], body[1:]
            if tag == "\n":  # a blank context line that lost its leading space
                tag, text = " ", "\n"
            if tag not in " -+":
                raise PatchError(f"{patch.name}: unexpected line in hunk {line.strip()}: {body!r}")
            if tag in " -":
                old.append(text)
            if tag in " +":
                new.append(text)
        if len(old) != want_old or len(new) != want_new:
            raise PatchError(f"{patch.name}: hunk {line.strip()} does not match its line counts")
        yield target, old, new


def apply_patch(root: Path, patch: Path) -> None:
    """Apply a unified diff to the tree at root by exact text: each hunk's old lines (context and
    removals) must occur exactly once in its file, wherever they moved; no fuzz, no partial result
    is trusted (the caller throws the tree away on error)."""
    count = 0
    for target, old, new in _hunks(patch):
        path = root / target
        try:
            lines = path.read_text().splitlines(keepends=True)
        except OSError as exc:
            raise PatchError(f"{patch.name}: cannot read {target}: {exc}") from exc
        found = [i for i in range(len(lines) - len(old) + 1) if lines[i : i + len(old)] == old]
        if len(found) != 1:
            raise PatchError(
                f"{patch.name}: the text to patch in {target} occurs {len(found)} times (need exactly 1); "
                f"has the upstream source changed? Hunk starts with: {''.join(old[:3])!r}"
            )
        lines[found[0] : found[0] + len(old)] = new
        path.write_text("".join(lines))
        count += 1
    if count == 0:
        raise PatchError(f"{patch.name}: no hunks")


def _copy_tree(src: Path, dst: Path) -> None:
    """Copy a module-cache directory; the copies are writable (the module cache is read-only)."""
    for folder, _, files in os.walk(src):
        target = dst / Path(folder).relative_to(src)
        target.mkdir(parents=True, exist_ok=True)
        for name in files:
            shutil.copyfile(Path(folder) / name, target / name)


def _remove_tree(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)


class FerretDB(Engine):
    name = "mongo"
    default_port = 27017

    @property
    def binary(self) -> Path:
        return BIN_DIR / f"ferretdb-{VERSION}-{DIGEST}"

    def installed(self) -> bool:
        return self.binary.is_file()

    def install(self) -> None:
        """Build the wrapper against a patched copy of the pinned FerretDB module (see the module doc)."""
        go = go_binary()
        BIN_DIR.mkdir(parents=True, exist_ok=True)
        build = CACHE_DIR / "build" / self.binary.name
        _remove_tree(build)
        try:
            main, upstream = build / "main", build / "FerretDB"
            main.mkdir(parents=True)
            for name in WRAPPER:  # go commands below may touch go.mod/go.sum: only in this copy
                shutil.copyfile(MODULE_DIR / name, main / name)
            download = subprocess.run(
                [go, "mod", "download", "-json", f"{UPSTREAM}@{VERSION}"],
                cwd=main,
                capture_output=True,
                text=True,
            )
            info = json.loads(download.stdout or "{}")
            if download.returncode != 0 or info.get("Error") or not info.get("Dir"):
                reason = info.get("Error") or download.stderr
                raise RuntimeError(f"mongo: go mod download {UPSTREAM}@{VERSION} failed: {reason}")
            _copy_tree(Path(info["Dir"]), upstream)
            for name in PATCHES:
                try:
                    apply_patch(upstream, MODULE_DIR / name)
                except PatchError as exc:
                    raise RuntimeError(f"mongo: cannot patch FerretDB {VERSION}: {exc}") from exc
            run([go, "mod", "edit", f"-replace={UPSTREAM}={upstream}"], cwd=main)
            tmp = self.binary.with_name(self.binary.name + ".tmp")
            run([go, "build", "-trimpath", "-o", tmp, "."], cwd=main, env={"CGO_ENABLED": "0"})
            tmp.replace(self.binary)
        finally:
            _remove_tree(build)

    def prepare(self) -> None:
        (self.data_dir / "sqlite").mkdir(parents=True, exist_ok=True)
        for name in quarantine_unfinished(self.data_dir / "sqlite", self.data_dir / "quarantine"):
            log(f"mongo: moved aside {name}, a database FerretDB never finished creating")

    def command(self) -> list[str]:
        return self.arguments(self.port, self.data_dir / "sqlite")

    def env(self) -> dict[str, str]:
        # Go collects when the heap doubles; FerretDB's live heap is small (~65 MB) and every document it
        # converts is garbage at once, so the default made collections a quarter of its CPU per inserted
        # document (0.17 ms -> 0.10-0.14 at GOGC=200-400). GOGC in the environment still wins.
        return {"GOGC": os.environ.get("GOGC", FERRETDB_GOGC)}

    def arguments(self, port: int, sqlite_dir: Path) -> list[str]:
        return [str(self.binary), f"-listen-addr={HOST}:{port}", f"-sqlite-dir={sqlite_dir}"]

    @contextlib.contextmanager
    def private(self, sqlite_dir: Path, timeout_s: float = 30.0) -> Iterator[str]:
        """Build if needed and run this build on a free port with its own data: yields its URL.
        For tests and measurements next to the shared engine, which this leaves alone."""
        self.ensure_installed()
        with socket.socket() as sock:
            sock.bind((HOST, 0))
            port = int(sock.getsockname()[1])
        sqlite_dir.mkdir(parents=True, exist_ok=True)
        log_path = sqlite_dir.parent / f"ferretdb-{port}.log"
        with log_path.open("ab") as log_handle:
            process = subprocess.Popen(
                self.arguments(port, sqlite_dir),
                env={**os.environ, **self.env()},
                stdin=subprocess.DEVNULL,
                stdout=log_handle,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + timeout_s
            while not mongo_ping(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"mongo: private FerretDB did not come up; log:\n{log_path.read_text()[-3000:]}"
                    )
                time.sleep(0.1)
            yield f"mongodb://{HOST}:{port}/"
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def healthy(self) -> bool:
        return port_open(self.port) and mongo_ping(self.port)

    def url(self) -> str:
        return f"mongodb://{HOST}:{self.port}/"


# A database file FerretDB was stopped while creating: no table at all. FerretDB refuses to start while one
# is there ("no such table: _ferretdb_collections"); such a file holds no data, so it is moved aside.
UNFINISHED_MAX_BYTES = 16 * 1024


def quarantine_unfinished(sqlite_dir: Path, quarantine_dir: Path) -> list[str]:
    """Move databases without a single table out of `sqlite_dir`; returns their names."""
    moved: list[str] = []
    for path in sorted(sqlite_dir.glob("*.sqlite")):
        if path.stat().st_size > UNFINISHED_MAX_BYTES or _has_tables(path):
            continue
        quarantine_dir.mkdir(parents=True, exist_ok=True)
        for companion in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if companion.exists():
                companion.replace(quarantine_dir / companion.name)
        moved.append(path.name)
    return moved


def _has_tables(path: Path) -> bool:
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as database:
            tables: int = database.execute("select count(*) from sqlite_master").fetchone()[0]
            return tables > 0
    except sqlite3.DatabaseError:
        return True  # not ours to judge: FerretDB's log will say what is wrong with it
