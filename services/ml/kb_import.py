"""`python -m services.ml.kb_import FILE.xlsx [--variants FILE.jsonl]`: load the FAQ spreadsheet into the
knowledge base.

Columns (by header, any order): Основная категория, Подкатегория, Пример вопроса, Приоритет,
Целевая аудитория, Шаблонный ответ, and optionally Другие формулировки (other ways customers ask
the question, one per line). A variants file adds more: JSON lines {"subcategory", "question",
"variants": [...]}, matched to the sheet's rows by subcategory and question. Empty rows are skipped;
a row missing a category, question or answer stops the import with its row number before anything is
written. Re-importing is idempotent (ids come from the normalised subcategory and question); entries
added through the API are kept. Afterwards a running ml service (T1_ML_ADDRESS, default
127.0.0.1:8004) is asked to re-index; if none answers, the service picks the changes up at its next
start or periodic sync."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import warnings
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import grpc
from openpyxl import load_workbook
from pydantic import SecretStr

from services.ml.kb import Entry, ImportReport, KnowledgeBase, clean_variants, entry_id, new_entry
from t1.ml.v1 import hints_service_pb2 as api
from t1.ml.v1 import hints_service_pb2_grpc as api_grpc
from t1lib.config import MongoSettings, ServiceAuthSettings, load_settings
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
VARIANTS_COLUMN = "Другие формулировки"
REQUIRED_COLUMNS = ("Основная категория", "Подкатегория", "Пример вопроса", "Шаблонный ответ")


class ImportFileError(Exception):
    """The file cannot be imported; the message names the row or column at fault."""


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_entries(path: str | Path, variants_path: str | Path | None = None) -> list[Entry]:
    """All entries of the workbook's first sheet, validated, with the variants of `variants_path`;
    ImportFileError on the first bad row or line."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl: "Data Validation extension is not supported"
        entries = _read_entries(path)
    if variants_path:
        entries = with_variants(entries, read_variants(variants_path))
    return entries


def read_variants(path: str | Path) -> dict[str, list[str]]:
    """Entry id -> variants, from JSON lines {"subcategory", "question", "variants": [...]}."""
    found: dict[str, list[str]] = {}
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ImportFileError(f"{path}: cannot read the variants file ({error})") from error
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            question = str(data["question"])
            variants = data["variants"]
            if not isinstance(variants, list) or not all(isinstance(item, str) for item in variants):
                raise TypeError("variants must be a list of strings")
        except (ValueError, KeyError, TypeError) as error:
            raise ImportFileError(f"{path}: line {number}: {error}") from error
        found.setdefault(entry_id(str(data.get("subcategory") or ""), question), []).extend(variants)
    return found


def with_variants(entries: Sequence[Entry], variants: dict[str, list[str]]) -> list[Entry]:
    by_id = {entry.id: entry for entry in entries}
    unknown = [id_ for id_ in variants if id_ not in by_id]
    if unknown:
        raise ImportFileError(
            f"variants name {len(unknown)} question(s) that are not in the sheet (subcategory and question "
            "must match a row)"
        )
    result = []
    for entry in entries:
        extra = variants.get(entry.id, [])
        try:
            result.append(replace(entry, variants=clean_variants([*entry.variants, *extra], entry.question)))
        except InvalidArgumentError as error:
            raise ImportFileError(f"variants of {entry.question!r}: {error}") from error
    return result


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
        variants_column = header.index(VARIANTS_COLUMN) if VARIANTS_COLUMN in header else None
        entries: list[Entry] = []
        seen: dict[str, int] = {}
        for number, row in enumerate(rows, start=2):
            values = {
                field: _cell(row[index]) if index < len(row) else "" for field, index in columns.items()
            }
            if not any(values.values()):
                continue
            variants: list[str] = []
            if variants_column is not None and variants_column < len(row):
                variants = _cell(row[variants_column]).splitlines()
            try:
                entry = new_entry(values, variants=variants)
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


async def import_file(
    knowledge_base: KnowledgeBase, path: str | Path, variants_path: str | Path | None = None
) -> ImportReport:
    """Validate the whole file first, then write: a bad row leaves the knowledge base untouched."""
    entries = await asyncio.to_thread(read_entries, path, variants_path)
    return await knowledge_base.import_entries(entries)


async def request_reindex(
    address: str, token: SecretStr, timeout_s: float = 120.0
) -> api.ReindexKnowledgeBaseResponse | None:
    """Ask a running ml service to re-sync its index; None when no service answers."""
    channel = open_channel(address, token, default_timeout_s=timeout_s)
    try:
        stub = api_grpc.HintsServiceStub(channel)
        return await stub.ReindexKnowledgeBase(api.ReindexKnowledgeBaseRequest())
    except grpc.aio.AioRpcError as error:
        if error.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.UNIMPLEMENTED):
            return None
        raise
    finally:
        await channel.close()


async def run(path: str, variants: str | None, address: str, reindex: bool) -> dict[str, object]:
    settings = load_settings(MongoSettings)
    client = mongo_client(settings)
    try:
        knowledge_base = KnowledgeBase(client[settings.mongo_db])
        await knowledge_base.create_indexes()
        report = await import_file(knowledge_base, path, variants)
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
        response = await request_reindex(address, load_settings(ServiceAuthSettings).service_token)
        result["reindexed"] = (
            None
            if response is None
            else {"embedded": response.embedded, "removed": response.removed, "total": response.total}
        )
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.ml.kb_import", description=__doc__)
    parser.add_argument("file", help="xlsx file with the FAQ")
    parser.add_argument("--variants", default=None, help="JSONL of other phrasings of the questions")
    parser.add_argument(
        "--ml-address", default=None, help="ml gRPC address (default $T1_ML_ADDRESS or 127.0.0.1:8004)"
    )
    parser.add_argument("--no-reindex", action="store_true", help="do not ask a running ml to re-index")
    args = parser.parse_args(argv)
    address = args.ml_address or os.environ.get("T1_ML_ADDRESS", "127.0.0.1:8004")
    try:
        result = asyncio.run(run(args.file, args.variants, address, not args.no_reindex))
    except ImportFileError as error:
        print(f"import failed, nothing written: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
