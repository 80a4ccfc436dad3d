"""`python -m services.ml.kb_import FILE.xlsx`: load the FAQ spreadsheet into the knowledge base.

Columns (by header, any order): Основная категория, Подкатегория, Пример вопроса, Приоритет,
Целевая аудитория, Шаблонный ответ. Empty rows are skipped; a row missing a category, question or answer
stops the import with its row number before anything is written. Re-importing is idempotent (ids come
from the normalised subcategory and question); entries added through the API are kept. Afterwards a
running ml service (T1_ML_ADDRESS, default 127.0.0.1:8004) is asked to re-index; if none answers, the
service picks the changes up at its next start or periodic sync."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import grpc
from openpyxl import load_workbook

from services.ml.kb import Entry, ImportReport, KnowledgeBase, new_entry
from t1.ml.v1 import hints_service_pb2 as api
from t1.ml.v1 import hints_service_pb2_grpc as api_grpc
from t1lib.config import MongoSettings, load_settings
from t1lib.errors import InvalidArgumentError
from t1lib.grpc.client import open_channel
from t1lib.stores import mongo_client

COLUMNS = {
    "Основная категория": "category",
    "Подкатегория": "subcategory",
    "Пример вопроса": "question",
    "Приоритет": "priority",
    "Целевая аудитория": "audience",
    "Шаблонный ответ": "answer",
}
REQUIRED_COLUMNS = ("Основная категория", "Подкатегория", "Пример вопроса", "Шаблонный ответ")


class ImportFileError(Exception):
    """The file cannot be imported; the message names the row or column at fault."""


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_entries(path: str | Path) -> list[Entry]:
    """All entries of the workbook's first sheet, validated; ImportFileError on the first bad row."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl: "Data Validation extension is not supported"
        return _read_entries(path)


def _read_entries(path: str | Path) -> list[Entry]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:
        raise ImportFileError(f"{path}: not a readable xlsx file ({error})") from error
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [_cell(value) for value in next(rows, ())]
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        if missing:
            raise ImportFileError(f"{path}: row 1: missing column(s) {', '.join(missing)}")
        columns = {COLUMNS[name]: header.index(name) for name in COLUMNS if name in header}
        entries: list[Entry] = []
        seen: dict[str, int] = {}
        for number, row in enumerate(rows, start=2):
            values = {
                field: _cell(row[index]) if index < len(row) else "" for field, index in columns.items()
            }
            if not any(values.values()):
                continue
            try:
                entry = new_entry(values)
            except InvalidArgumentError as error:
                raise ImportFileError(f"{path}: row {number}: {error}") from error
            if entry.id in seen:
                raise ImportFileError(
                    f"{path}: row {number}: the same subcategory and question as row {seen[entry.id]}"
                )
            seen[entry.id] = number
            entries.append(entry)
    finally:
        workbook.close()
    if not entries:
        raise ImportFileError(f"{path}: no entries")
    return entries


async def import_file(knowledge_base: KnowledgeBase, path: str | Path) -> ImportReport:
    """Validate the whole file first, then write: a bad row leaves the knowledge base untouched."""
    entries = await asyncio.to_thread(read_entries, path)
    return await knowledge_base.import_entries(entries)


async def request_reindex(address: str, timeout_s: float = 120.0) -> api.ReindexKnowledgeBaseResponse | None:
    """Ask a running ml service to re-sync its index; None when no service answers."""
    channel = open_channel(address, default_timeout_s=timeout_s)
    try:
        stub = api_grpc.HintsServiceStub(channel)
        return await stub.ReindexKnowledgeBase(api.ReindexKnowledgeBaseRequest())
    except grpc.aio.AioRpcError as error:
        if error.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.UNIMPLEMENTED):
            return None
        raise
    finally:
        await channel.close()


async def run(path: str, address: str, reindex: bool) -> dict[str, object]:
    settings = load_settings(MongoSettings)
    client = mongo_client(settings)
    try:
        knowledge_base = KnowledgeBase(client[settings.mongo_db])
        await knowledge_base.create_indexes()
        report = await import_file(knowledge_base, path)
    finally:
        await client.close()
    result: dict[str, object] = {
        "file": path,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "total": report.total,
    }
    if reindex:
        response = await request_reindex(address)
        result["reindexed"] = (
            None
            if response is None
            else {"embedded": response.embedded, "removed": response.removed, "total": response.total}
        )
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.ml.kb_import", description=__doc__)
    parser.add_argument("file", help="xlsx file with the FAQ")
    parser.add_argument(
        "--ml-address", default=None, help="ml gRPC address (default $T1_ML_ADDRESS or 127.0.0.1:8004)"
    )
    parser.add_argument("--no-reindex", action="store_true", help="do not ask a running ml to re-index")
    args = parser.parse_args(argv)
    address = args.ml_address or os.environ.get("T1_ML_ADDRESS", "127.0.0.1:8004")
    try:
        result = asyncio.run(run(args.file, address, not args.no_reindex))
    except ImportFileError as error:
        print(f"import failed, nothing written: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
