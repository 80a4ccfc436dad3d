"""The FAQ import: parsing, idempotent re-import into MongoDB, bad rows stop it before any write, and the
CLI asking a running service to re-index."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from pathlib import Path

import pytest
from openpyxl import Workbook

from services.ml import kb_import
from services.ml.kb import Entry, entry_id
from services.ml.kb_import import COLUMNS, ImportFileError, import_file, read_entries
from t1.ml.v1 import hints_service_pb2 as api
from tests.ml.conftest import Harness
from tests.support.knowledge import FAQ, FAQ_VARIANTS

HEADER = list(COLUMNS)


def write_xlsx(path: Path, rows: list[list[str | None]], header: list[str] = HEADER) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def row(question: str, answer: str = "Ответ.", subcategory: str = "Подкатегория") -> list[str | None]:
    return ["Категория", subcategory, question, "высокий", "все клиенты", answer]


def test_the_faq_parses_into_201_entries(faq_entries: list[Entry]) -> None:
    assert len(faq_entries) == 201
    assert len({entry.id for entry in faq_entries}) == 201
    assert all(entry.question == entry.question.strip() for entry in faq_entries)
    complaint = next(
        entry for entry in faq_entries if entry.question.startswith("Могу ли я оставить обращение")
    )
    assert complaint.question == "Могу ли я оставить обращение, не обращаясь лично в офис банка?"
    assert (complaint.category, complaint.priority, complaint.audience) == (
        "Техническая поддержка",
        "высокий",
        "все клиенты",
    )
    # The file asks "Какая доходность?" for two deposits: the subcategory keeps their ids apart.
    same_question = [entry for entry in faq_entries if entry.question == "Какая доходность?"]
    assert len(same_question) == 2
    assert same_question[0].id != same_question[1].id


def test_ids_ignore_case_spaces_and_yo() -> None:
    assert entry_id("Вклады", "Можно ли  пополнить вклад? ") == entry_id(
        "вклады", "можно ли пополнить вклад?"
    )
    assert entry_id("Счёт", "Что это") == entry_id("Счет", "что это")
    assert entry_id("A", "вопрос") != entry_id("B", "вопрос")


def test_bad_rows_name_the_row(tmp_path: Path) -> None:
    no_answer = write_xlsx(
        tmp_path / "a.xlsx",
        [row("Первый?"), [None, None, None, None, None, None], row("Второй?", answer="  ")],
    )
    with pytest.raises(ImportFileError, match=r"row 4: answer is empty"):
        read_entries(no_answer)
    duplicate = write_xlsx(tmp_path / "b.xlsx", [row("Один?"), row("Два?"), row("  один? ")])
    with pytest.raises(ImportFileError, match=r"row 4: the same subcategory and question as row 2"):
        read_entries(duplicate)
    missing_column = write_xlsx(tmp_path / "c.xlsx", [row("Один?")[:3]], header=HEADER[:3])
    with pytest.raises(ImportFileError, match=r"row 1: missing column\(s\) Шаблонный ответ"):
        read_entries(missing_column)
    not_xlsx = tmp_path / "d.xlsx"
    not_xlsx.write_text("hello")
    with pytest.raises(ImportFileError, match="not a readable xlsx"):
        read_entries(not_xlsx)


def write_variants(path: Path, lines: list[dict[str, object]]) -> Path:
    path.write_text(
        "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8"
    )
    return path


def test_variants_come_from_a_file_and_a_column(tmp_path: Path) -> None:
    sheet = write_xlsx(
        tmp_path / "v.xlsx",
        [[*row("Один?"), "раз вопрос\n\nпервый вопрос"], [*row("Два?"), None]],
        header=[*HEADER, kb_import.VARIANTS_COLUMN],
    )
    variants = write_variants(
        tmp_path / "v.jsonl",
        [
            {"subcategory": "Подкатегория", "question": "один?", "variants": ["Первый  вопрос", "ещё один"]},
            {"subcategory": "Подкатегория", "question": "Два?", "variants": ["два?", "второй"]},
        ],
    )
    one, two = read_entries(sheet, variants)
    # blank lines, repeats (case and spaces aside) and the question itself are dropped
    assert one.variants == ("раз вопрос", "первый вопрос", "ещё один")
    assert two.variants == ("второй",)
    assert one.content_hash() != read_entries(sheet)[0].content_hash()


def test_bad_variants_name_the_line(tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "v.xlsx", [row("Один?")])
    unknown = write_variants(
        tmp_path / "a.jsonl", [{"subcategory": "Другая", "question": "Один?", "variants": []}]
    )
    with pytest.raises(ImportFileError, match="not in the sheet"):
        read_entries(sheet, unknown)
    malformed = tmp_path / "b.jsonl"
    malformed.write_text('{"question": "Один?", "variants": "не список"}\n', encoding="utf-8")
    with pytest.raises(ImportFileError, match="line 1: variants must be a list of strings"):
        read_entries(sheet, malformed)
    too_long = write_variants(
        tmp_path / "c.jsonl", [{"subcategory": "Подкатегория", "question": "Один?", "variants": ["я" * 501]}]
    )
    with pytest.raises(ImportFileError, match="longer than 500"):
        read_entries(sheet, too_long)


def test_our_faq_variants_match_the_faq() -> None:
    entries = read_entries(FAQ, FAQ_VARIANTS)
    assert all(len(entry.variants) >= 5 for entry in entries)


@pytest.mark.integration
async def test_reimport_is_idempotent(harness: Harness, tmp_path: Path) -> None:
    knowledge_base = harness.knowledge_base
    first = await import_file(knowledge_base, FAQ)
    assert (first.created, first.updated, first.unchanged) == (201, 0, 0)
    again = await import_file(knowledge_base, FAQ)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 201)
    assert await knowledge_base.count() == 201

    small = write_xlsx(tmp_path / "small.xlsx", [row("Один?"), row("Два?")])
    await import_file(knowledge_base, small)
    changed = write_xlsx(
        tmp_path / "changed.xlsx", [row("Один?", answer="Новый ответ."), row("Два?"), row("Три?")]
    )
    report = await import_file(knowledge_base, changed)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    one = await knowledge_base.get(entry_id("Подкатегория", "Один?"))
    assert one.answer == "Новый ответ."
    assert await knowledge_base.count() == 204


@pytest.mark.integration
async def test_a_bad_row_writes_nothing(harness: Harness, tmp_path: Path) -> None:
    bad = write_xlsx(tmp_path / "bad.xlsx", [row("Один?"), row("Два?"), row("", answer="Ответ без вопроса")])
    with pytest.raises(ImportFileError, match="row 4: question is empty"):
        await import_file(harness.knowledge_base, bad)
    assert await harness.knowledge_base.count() == 0


@pytest.mark.integration
async def test_cli_imports_and_asks_the_running_service_to_reindex(
    harness: Harness, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("T1_MONGO_DB", harness.settings.mongo_db)
    monkeypatch.setenv("T1_MONGO_URL", harness.settings.mongo_url)
    app = await harness.start_app()
    stub = harness.stub(app)
    assert list((await stub.GetHints(api.GetHintsRequest(query="мили путешественник"))).hints) == []

    faq = write_xlsx(
        tmp_path / "faq.xlsx",
        [
            row(
                "Как копить мили по карте Путешественник?",
                "Мили начисляются за покупки.",
                "Карта Путешественник",
            ),
            row("Как открыть вклад?", "В отделении или онлайн."),
        ],
    )
    code = await asyncio.to_thread(kb_import.main, [str(faq), "--ml-address", f"127.0.0.1:{app.port}"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["created"] == 2
    assert result["reindexed"] == {"embedded": 2, "removed": 0, "total": 2}
    hints = (await stub.GetHints(api.GetHintsRequest(query="мили путешественник"))).hints
    assert hints[0].question == "Как копить мили по карте Путешественник?"

    # No service listening: the import still succeeds and says so.
    code = await asyncio.to_thread(kb_import.main, [str(faq), "--ml-address", "127.0.0.1:1"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["unchanged"], result["reindexed"]) == (2, None)

    bad = write_xlsx(tmp_path / "bad.xlsx", [row("Вопрос?", answer="")])
    code = await asyncio.to_thread(kb_import.main, [str(bad), "--no-reindex"])
    assert code == 2
    assert "row 2: answer is empty" in capsys.readouterr().err
    assert os.environ["T1_MONGO_DB"] == harness.settings.mongo_db
    assert uuid.UUID(hints[0].entry_id)
