"""The project's FerretDB build (infra/engines/ferretdb), run privately on a free port with its own data.

Not the shared engine on 27017: that one may still run an older binary, and a hanging command there
would wedge a database other tests and the live stack use. The build happens here if it is missing
(Go toolchain required: no skip).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pymongo
import pytest
from pymongo import DeleteOne, UpdateOne

from infra.engines.ferretdb import MODULE_DIR, PATCHES, FerretDB, PatchError, apply_patch
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

N = 500  # several times the SQLite pool's 100 connections, which the unpatched update ran out of


@pytest.fixture(scope="module")
def mongo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with FerretDB().private(tmp_path_factory.mktemp("ferretdb") / "sqlite") as url:
        yield url


@pytest.fixture
def client(mongo_url: str) -> Iterator[pymongo.MongoClient[dict[str, object]]]:
    # a hang fails the test here instead of at the pytest timeout
    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(
        mongo_url, serverSelectionTimeoutMS=5000, socketTimeoutMS=60_000
    )
    yield client
    client.close()


def _answers(url: str, database: str) -> None:
    """A fresh client can still read and write the database."""
    other: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(
        url, serverSelectionTimeoutMS=5000, socketTimeoutMS=10_000
    )
    try:
        probe = other[database]["probe"]
        probe.insert_one({"_id": "after", "ok": True})
        assert probe.find_one({"_id": "after"}) == {"_id": "after", "ok": True}
        assert other[database].command("ping")["ok"] == 1
    finally:
        other.close()


@pytest.mark.parametrize("ordered", [True, False], ids=["ordered", "unordered"])
def test_bulk_update_of_many_statements_completes(
    client: pymongo.MongoClient[dict[str, object]], mongo_url: str, ordered: bool
) -> None:
    database = f"bulk_update_{'ordered' if ordered else 'unordered'}"
    collection = client[database]["t"]
    collection.insert_many([{"_id": f"id{i}", "v": 0} for i in range(N)])

    result = collection.bulk_write(
        [UpdateOne({"_id": f"id{i}"}, {"$set": {"v": 1}, "$inc": {"n": 1}}) for i in range(N)],
        ordered=ordered,
    )

    assert result.matched_count == N
    assert result.modified_count == N
    assert collection.count_documents({"v": 1, "n": 1}) == N
    _answers(mongo_url, database)


@pytest.mark.parametrize("ordered", [True, False], ids=["ordered", "unordered"])
def test_bulk_delete_of_many_statements_completes(
    client: pymongo.MongoClient[dict[str, object]], mongo_url: str, ordered: bool
) -> None:
    database = f"bulk_delete_{'ordered' if ordered else 'unordered'}"
    collection = client[database]["t"]
    collection.insert_many([{"_id": f"id{i}"} for i in range(N)])

    result = collection.bulk_write([DeleteOne({"_id": f"id{i}"}) for i in range(N)], ordered=ordered)

    assert result.deleted_count == N
    assert collection.count_documents({}) == 0
    _answers(mongo_url, database)


def _rows_in_database_file(file: Path, collection: str) -> int:
    """Rows the database file itself holds: immutable=1 reads no write-ahead log, only what was
    checkpointed into the file."""
    reader = sqlite3.connect(f"file:{file}?immutable=1", uri=True)
    try:
        found = reader.execute(
            "SELECT table_name FROM _ferretdb_collections WHERE name = ?", (collection,)
        ).fetchone()
        return 0 if found is None else int(reader.execute(f'SELECT count(*) FROM "{found[0]}"').fetchone()[0])
    except sqlite3.DatabaseError:
        return 0  # the file has not got that far yet
    finally:
        reader.close()


def test_the_log_is_copied_into_the_database_in_the_background(tmp_path: Path) -> None:
    # Far below wal_autocheckpoint's 20,000 pages: only the background checkpoints copy these rows.
    sqlite_dir = tmp_path / "sqlite"
    with FerretDB().private(sqlite_dir) as url:
        client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(
            url, serverSelectionTimeoutMS=5000, socketTimeoutMS=10_000
        )
        try:
            client["walcopy"]["t"].insert_many([{"_id": f"id{i}", "text": "слово " * 30} for i in range(200)])
            wait_until(
                lambda: _rows_in_database_file(sqlite_dir / "walcopy.sqlite", "t") == 200,
                20,
                "the write-ahead log copied into the database file",
            )
            _answers(url, "walcopy")
        finally:
            client.close()


def _connect(url: str) -> pymongo.MongoClient[dict[str, object]]:
    return pymongo.MongoClient(url, serverSelectionTimeoutMS=5000, socketTimeoutMS=10_000)


def _plan(client: pymongo.MongoClient[dict[str, object]], database: str, command: dict[str, object]) -> str:
    return " ".join(client[database].command("explain", command)["queryPlanner"]["Plan"])


def _indexes(file: Path) -> set[str]:
    with closing(sqlite3.connect(file)) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_id_lookups_use_the_collections_unique_index(
    client: pymongo.MongoClient[dict[str, object]], mongo_url: str
) -> None:
    collection = client["id_lookup"]["t"]
    collection.insert_many([{"_id": f"id{i}", "v": i} for i in range(N)])

    plan = _plan(client, "id_lookup", {"find": "t", "filter": {"_id": "id7"}})
    scan = _plan(client, "id_lookup", {"find": "t", "filter": {"v": 7}})

    assert "SEARCH" in plan, plan
    assert "__id_ (<expr>=?)" in plan, plan  # the unique _id index, by its name
    assert "SCAN" in scan, scan  # the same explain for a filter that no index serves
    assert collection.find_one({"_id": "id7"}) == {"_id": "id7", "v": 7}
    assert collection.update_one({"_id": "id8"}, {"$set": {"v": -8}}).modified_count == 1
    assert collection.delete_one({"_id": "id9"}).deleted_count == 1
    assert collection.find_one({"_id": "id8"}) == {"_id": "id8", "v": -8}
    assert collection.find_one({"_id": "id9"}) is None
    with pytest.raises(pymongo.errors.DuplicateKeyError):
        collection.insert_one({"_id": "id10"})


def test_an_older_builds_extra_id_index_is_dropped_at_start(tmp_path: Path) -> None:
    sqlite_dir = tmp_path / "sqlite"
    with FerretDB().private(sqlite_dir) as url, closing(_connect(url)) as first:
        first["legacy"]["t"].insert_many([{"_id": f"id{i}"} for i in range(10)])
    file = sqlite_dir / "legacy.sqlite"
    with closing(sqlite3.connect(file)) as db:
        (table,) = db.execute("SELECT table_name FROM _ferretdb_collections WHERE name = 't'").fetchone()
        db.execute(f'CREATE INDEX "{table}__t1_id_lookup" ON "{table}" (_ferretdb_sjson->\'$._id\')')
        db.commit()
    assert f"{table}__t1_id_lookup" in _indexes(file)

    with FerretDB().private(sqlite_dir) as url, closing(_connect(url)) as second:
        assert second["legacy"]["t"].count_documents({}) == 10
        assert second["legacy"]["t"].find_one({"_id": "id3"}) == {"_id": "id3"}

    assert f"{table}__t1_id_lookup" not in _indexes(file)
    assert f"{table}__id_" in _indexes(file)


def test_debug_logging_still_shows_each_statements_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The wrapper formats the attributes of FerretDB's per-statement log lines only when a line is
    # written (lazylog.go); at debug level they must still be there.
    monkeypatch.setenv("FERRETDB_LOG_LEVEL", "debug")
    sqlite_dir = tmp_path / "sqlite"
    with FerretDB().private(sqlite_dir) as url, closing(_connect(url)) as debug_client:
        debug_client["logged"]["t"].insert_one({"_id": "marker", "word": "различимоеслово"})
        port = url.rsplit(":", 1)[1].strip("/")
        log = (tmp_path / f"ferretdb-{port}.log").read_text()

    # The statement that stored the document, with the document among its arguments.
    inserts = [line for line in log.splitlines() if "<<< INSERT INTO" in line and "(_ferretdb_sjson)" in line]
    assert any("args=" in line and "различимоеслово" in line for line in inserts), log[-3000:]


def test_patch_refuses_source_it_does_not_match(tmp_path: Path) -> None:
    target = tmp_path / "internal" / "handler" / "msg_update.go"
    target.parent.mkdir(parents=True)
    target.write_text("package handler\n\n// upstream changed this file\n")

    with pytest.raises(PatchError, match=r"occurs 0 times"):
        apply_patch(tmp_path, MODULE_DIR / PATCHES[0])
    assert target.read_text() == "package handler\n\n// upstream changed this file\n"
