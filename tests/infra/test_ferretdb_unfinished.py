"""A database file FerretDB was stopped while creating (no table at all) would keep FerretDB from starting;
the engine moves such files aside before it starts, and leaves every real database alone."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from infra.engines.ferretdb import quarantine_unfinished


def test_unfinished_databases_are_moved_aside_and_real_ones_stay(tmp_path: Path) -> None:
    sqlite_dir, quarantine = tmp_path / "sqlite", tmp_path / "quarantine"
    sqlite_dir.mkdir()
    unfinished = sqlite_dir / "gw_test.sqlite"
    sqlite3.connect(unfinished).execute("pragma user_version = 1").connection.close()  # a page, no table
    (sqlite_dir / "gw_test.sqlite-wal").write_bytes(b"")
    real = sqlite_dir / "t1.sqlite"
    with sqlite3.connect(real) as database:
        database.execute("create table _ferretdb_collections (name text)")
    foreign = sqlite_dir / "notes.sqlite"
    foreign.write_bytes(b"not a database at all")

    assert quarantine_unfinished(sqlite_dir, quarantine) == ["gw_test.sqlite"]
    assert sorted(path.name for path in sqlite_dir.iterdir()) == ["notes.sqlite", "t1.sqlite"]
    assert sorted(path.name for path in quarantine.iterdir()) == ["gw_test.sqlite", "gw_test.sqlite-wal"]
    assert quarantine_unfinished(sqlite_dir, quarantine) == []
