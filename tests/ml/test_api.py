"""HintsService over gRPC on the real FAQ: hints for Russian paraphrases, the category filter,
classification, and the admin RPCs (list, upsert, delete, re-index)."""

from __future__ import annotations

import grpc
import pytest
from pydantic import SecretStr

from fakes.llm import FakeLlm, Fault
from services.ml.app import App
from services.ml.focus import focused_answer
from t1.ml.v1 import hints_service_pb2 as api
from t1.ml.v1 import hints_service_pb2_grpc as api_grpc
from tests.ml.conftest import Harness
from tests.support.knowledge import FAQ

pytestmark = pytest.mark.integration

CARDS = "Продукты - Карты"
DEPOSITS = "Продукты - Вклады"


@pytest.mark.parametrize(
    ("query", "question"),
    [
        ("Добрый день! Потеряла карточку, что мне теперь делать? Спасибо", "Действия при утрате карточки"),
        ("скока стоит обслуживание карты море в год", "Сколько стоит обслуживание карты MORE?"),
        ("zabyl parol ot mobilnogo prilozheniya", "Забыл пароль от мобильного приложения"),
        ("можно ли закрыть кредит на всё про всё раньше срока?", "Можно ли досрочно погасить кредит?"),
        ("Which devices work with Mir Pay?", "Какие устройства совместимы с Mir Pay?"),
    ],
)
async def test_hints_answer_paraphrases(
    stub: api_grpc.HintsServiceAsyncStub, query: str, question: str
) -> None:
    response = await stub.GetHints(api.GetHintsRequest(query=query))
    assert len(response.hints) == 3
    assert question in [hint.question for hint in response.hints]
    best = response.hints[0]
    assert all((best.entry_id, best.answer, best.category, best.subcategory))
    assert [hint.score for hint in response.hints] == sorted(
        (hint.score for hint in response.hints), reverse=True
    )


async def test_limit_defaults_to_three_and_is_capped(stub: api_grpc.HintsServiceAsyncStub) -> None:
    assert len((await stub.GetHints(api.GetHintsRequest(query="кредит онлайн"))).hints) == 3
    assert len((await stub.GetHints(api.GetHintsRequest(query="кредит онлайн", limit=1))).hints) == 1
    assert len((await stub.GetHints(api.GetHintsRequest(query="кредит онлайн", limit=500))).hints) == 20


async def test_empty_query_gets_no_hints(stub: api_grpc.HintsServiceAsyncStub) -> None:
    assert list((await stub.GetHints(api.GetHintsRequest(query="  👍 "))).hints) == []


async def test_hints_from_the_conversation_s_intent(stub: api_grpc.HintsServiceAsyncStub) -> None:
    opening = "Добрый день! Потеряла карточку, что мне теперь делать?"
    asked = await stub.GetHints(api.GetHintsRequest(messages=[opening]))
    assert asked.intent == "Потеряла карточку, что мне теперь делать?"
    assert "Действия при утрате карточки" in [hint.question for hint in asked.hints]
    # Chit-chat after it: the same intent, the same hints; `query` is ignored when messages are given.
    chased = await stub.GetHints(
        api.GetHintsRequest(messages=[opening, "Алло, вы тут?", "ау", "???"], query="вклад в юанях")
    )
    assert chased.intent == asked.intent
    assert [hint.entry_id for hint in chased.hints] == [hint.entry_id for hint in asked.hints]
    # Nothing but chit-chat: nothing to search for.
    idle = await stub.GetHints(api.GetHintsRequest(messages=["Здравствуйте", "Алло, вы тут?"]))
    assert (idle.intent, list(idle.hints)) == ("", [])
    # Without messages the query is searched, and is the intent.
    plain = await stub.GetHints(api.GetHintsRequest(query="кредит онлайн"))
    assert plain.intent == "кредит онлайн"
    assert plain.hints


async def test_category_filter(stub: api_grpc.HintsServiceAsyncStub) -> None:
    query = "можно ли открыть онлайн?"
    for category in (CARDS, DEPOSITS):
        response = await stub.GetHints(api.GetHintsRequest(query=query, limit=5, category=category))
        assert len(response.hints) == 5
        assert {hint.category for hint in response.hints} == {category}
    response = await stub.GetHints(api.GetHintsRequest(query=query, category="Нет такой категории"))
    assert list(response.hints) == []


async def test_classify_text(stub: api_grpc.HintsServiceAsyncStub) -> None:
    sure = await stub.ClassifyText(api.ClassifyTextRequest(text="Какой кредитный лимит по карте ЧЕРЕПАХА?"))
    assert (sure.category, sure.subcategory) == (CARDS, "Карты рассрочки - ЧЕРЕПАХА")
    assert 0.5 <= sure.confidence <= 1.0
    deposit = await stub.ClassifyText(
        api.ClassifyTextRequest(text="Здравствуйте, под какой процент вклад СуперСемь?")
    )
    assert (deposit.category, deposit.subcategory) == (DEPOSITS, "Рублевые - СуперСемь")
    unsure = await stub.ClassifyText(api.ClassifyTextRequest(text="как приготовить борщ со сметаной"))
    assert (unsure.category, unsure.subcategory) == ("", "")
    assert 0.0 <= unsure.confidence < 0.5


async def test_classify_texts_answers_each_in_order(stub: api_grpc.HintsServiceAsyncStub) -> None:
    texts = [
        "Здравствуйте, под какой процент вклад СуперСемь?",
        "",
        "как приготовить борщ со сметаной",
        "Какой кредитный лимит по карте ЧЕРЕПАХА?",
    ]
    response = await stub.ClassifyTexts(api.ClassifyTextsRequest(texts=texts))
    assert [(one.category, one.subcategory) for one in response.classifications] == [
        (DEPOSITS, "Рублевые - СуперСемь"),
        ("", ""),
        ("", ""),
        (CARDS, "Карты рассрочки - ЧЕРЕПАХА"),
    ]
    for text, one in zip(texts, response.classifications, strict=True):
        alone = await stub.ClassifyText(api.ClassifyTextRequest(text=text))
        assert (one.category, one.subcategory, one.confidence) == (
            alone.category,
            alone.subcategory,
            alone.confidence,
        )


async def test_classify_texts_refuses_too_many(stub: api_grpc.HintsServiceAsyncStub) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.ClassifyTexts(api.ClassifyTextsRequest(texts=["вклад"] * 257))
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "256" in (error.value.details() or "")


async def test_list_entries_pages_through_the_base(stub: api_grpc.HintsServiceAsyncStub) -> None:
    seen: list[str] = []
    token = ""
    while True:
        page = await stub.ListEntries(api.ListEntriesRequest(page_token=token, page_size=70))
        seen += [entry.id for entry in page.entries]
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == len(set(seen)) == 201
    deposits = await stub.ListEntries(api.ListEntriesRequest(category=DEPOSITS))
    assert len(deposits.entries) == 30
    assert not deposits.next_page_token
    assert {entry.category for entry in deposits.entries} == {DEPOSITS}
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.ListEntries(api.ListEntriesRequest(page_token="%%%"))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT


MORE = "Дебетовые карты - MORE"
MORE_LIMITS = "Какие лимиты по карте MORE?"


async def test_list_entries_with_a_query_searches_the_whole_base(
    stub: api_grpc.HintsServiceAsyncStub,
) -> None:
    first = await stub.ListEntries(api.ListEntriesRequest(query=MORE_LIMITS, page_size=20))
    assert first.entries[0].question == MORE_LIMITS
    assert len(first.entries) == 20
    assert 20 < first.total_size < 201
    seen = [entry.id for entry in first.entries]
    token = first.next_page_token
    while token:
        page = await stub.ListEntries(
            api.ListEntriesRequest(query=MORE_LIMITS, page_size=20, page_token=token)
        )
        assert page.total_size == first.total_size
        seen += [entry.id for entry in page.entries]
        token = page.next_page_token
    assert len(seen) == len(set(seen)) == first.total_size

    # Another word form, case and script of the product, and the filters.
    found = await stub.ListEntries(api.ListEntriesRequest(query="ЛИМИТЫ по карточке more", category=CARDS))
    assert found.entries[0].question == MORE_LIMITS
    assert {entry.category for entry in found.entries} == {CARDS}
    only = await stub.ListEntries(api.ListEntriesRequest(query="лимиты", category=CARDS, subcategory=MORE))
    assert ([entry.question for entry in only.entries], only.total_size) == ([MORE_LIMITS], 1)
    paraphrase = await stub.ListEntries(
        api.ListEntriesRequest(query="нужна ли страховка каско при автокредите", page_size=5)
    )
    assert paraphrase.entries[0].question == "Нужно ли КАСКО для автокредита?"

    nothing = await stub.ListEntries(api.ListEntriesRequest(query="ксилофон"))
    assert (list(nothing.entries), nothing.next_page_token, nothing.total_size) == ([], "", 0)
    # A blank query is the listing.
    listing = await stub.ListEntries(api.ListEntriesRequest(query="  ", page_size=500))
    assert (len(listing.entries), listing.total_size) == (201, 201)


async def test_list_entries_refuses_cursors_of_another_query_and_long_queries(
    stub: api_grpc.HintsServiceAsyncStub,
) -> None:
    search = await stub.ListEntries(api.ListEntriesRequest(query=MORE_LIMITS, page_size=5))
    listing = await stub.ListEntries(api.ListEntriesRequest(page_size=5))
    for request in (
        api.ListEntriesRequest(query="вклад", page_token=search.next_page_token),
        api.ListEntriesRequest(query=MORE_LIMITS, category=CARDS, page_token=search.next_page_token),
        api.ListEntriesRequest(query=MORE_LIMITS, page_token=listing.next_page_token),
        api.ListEntriesRequest(page_token=search.next_page_token),
        api.ListEntriesRequest(query="я" * 1001),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await stub.ListEntries(request)
        assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert (await stub.ListEntries(api.ListEntriesRequest(query="я" * 1000))).total_size == 0


async def test_list_entries_by_subcategory(stub: api_grpc.HintsServiceAsyncStub) -> None:
    page = await stub.ListEntries(api.ListEntriesRequest(subcategory=MORE, page_size=3))
    assert len(page.entries) == 3
    assert page.total_size == 8
    assert {entry.subcategory for entry in page.entries} == {MORE}


async def test_list_facets(stub: api_grpc.HintsServiceAsyncStub) -> None:
    facets = await stub.ListFacets(api.ListFacetsRequest())
    assert list(facets.priorities) == ["высокий", "средний"]
    assert list(facets.audiences) == ["все клиенты", "новые клиенты"]
    names = [category.name for category in facets.categories]
    assert names == sorted(names)
    assert len(names) == 6
    cards = next(category for category in facets.categories if category.name == CARDS)
    assert MORE in cards.subcategories
    assert list(cards.subcategories) == sorted(cards.subcategories)


NEW_ENTRY = api.KnowledgeEntry(
    category="Продукты - Карты",
    subcategory="Дебетовые карты - Путешественник",
    question="Как начисляются мили по карте Путешественник?",
    answer="Мили начисляются за каждую покупку по карте Путешественник и обмениваются на авиабилеты.",
    priority="средний",
    audience="все клиенты",
)


async def test_upsert_then_found_then_edit_then_delete(stub: api_grpc.HintsServiceAsyncStub) -> None:
    query = "копятся ли мили за покупки по карте путешественник"
    created = (await stub.UpsertEntry(api.UpsertEntryRequest(entry=NEW_ENTRY))).entry
    assert created.id
    assert (created.question, created.priority) == (NEW_ENTRY.question, "средний")
    hints = (await stub.GetHints(api.GetHintsRequest(query=query))).hints
    assert hints[0].entry_id == created.id
    assert hints[0].answer == NEW_ENTRY.answer
    found = await stub.ListEntries(api.ListEntriesRequest(query="мили по карте путешественник"))
    assert found.entries[0].id == created.id

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.UpsertEntry(api.UpsertEntryRequest(entry=NEW_ENTRY))
    assert raised.value.code() == grpc.StatusCode.ALREADY_EXISTS

    edited = api.KnowledgeEntry()
    edited.CopyFrom(created)
    edited.answer = "Мили начисляются в двойном размере за покупки за границей."
    stored = (await stub.UpsertEntry(api.UpsertEntryRequest(entry=edited))).entry
    assert stored.id == created.id
    hints = (await stub.GetHints(api.GetHintsRequest(query=query))).hints
    assert (hints[0].entry_id, hints[0].answer) == (created.id, edited.answer)

    await stub.DeleteEntry(api.DeleteEntryRequest(entry_id=created.id))
    hints = (await stub.GetHints(api.GetHintsRequest(query=query, limit=20))).hints
    assert created.id not in [hint.entry_id for hint in hints]
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.DeleteEntry(api.DeleteEntryRequest(entry_id=created.id))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


async def test_upsert_rejects_bad_entries(stub: api_grpc.HintsServiceAsyncStub) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.UpsertEntry(api.UpsertEntryRequest(entry=api.KnowledgeEntry(category="X", question=" ")))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "question is empty" in (raised.value.details() or "")
    assert "answer is empty" in (raised.value.details() or "")
    unknown = api.KnowledgeEntry()
    unknown.CopyFrom(NEW_ENTRY)
    unknown.id = "00000000-0000-0000-0000-000000000000"
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.UpsertEntry(api.UpsertEntryRequest(entry=unknown))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


async def test_reindex_after_a_direct_change(
    harness: Harness, faq_app: App, stub: api_grpc.HintsServiceAsyncStub
) -> None:
    """What the import CLI does: write MongoDB, then ask the running service to re-index."""
    entries = await harness.knowledge_base.all()
    await harness.knowledge_base.delete(entries[0].id)
    response = await stub.ReindexKnowledgeBase(api.ReindexKnowledgeBaseRequest())
    assert (response.embedded, response.removed, response.total) == (0, 1, 200)
    again = await stub.ReindexKnowledgeBase(api.ReindexKnowledgeBaseRequest())
    assert (again.embedded, again.removed, again.total) == (0, 0, 200)


async def test_compose_reply_without_llm_is_the_best_template(stub: api_grpc.HintsServiceAsyncStub) -> None:
    response = await stub.ComposeReply(
        api.ComposeReplyRequest(query="Потеряла карточку, что делать?", hints_limit=2, customer_name="Анна")
    )
    assert response.source == api.REPLY_SOURCE_TEMPLATE
    assert response.fallback_reason == "llm not configured"
    assert len(response.hints) == 2
    # The greeting by name, the part of the best answer that answers the question, a closing line.
    focused = focused_answer(response.hints[0].answer, "Потеряла карточку, что делать?")
    assert response.text == f"Здравствуйте, Анна! {focused}\n\nЕсли останутся вопросы — пишите."
    # The messages' intent is searched: chit-chat after the question changes nothing (searched as it is,
    # it put «Где можно использовать карту MORE?» first).
    asked = await stub.ComposeReply(api.ComposeReplyRequest(query="Как оформить карту MORE?", hints_limit=2))
    chased = await stub.ComposeReply(
        api.ComposeReplyRequest(
            query="Как оформить карту MORE?\nАлло, вы тут?\nау\nну что там?\nвы где?\nжду ответа",
            hints_limit=2,
        )
    )
    assert chased.hints[0].question == "Как оформить карту MORE?"
    assert [hint.entry_id for hint in chased.hints] == [hint.entry_id for hint in asked.hints]
    nothing = await stub.ComposeReply(api.ComposeReplyRequest(query=" 🙂 "))
    assert (nothing.source, nothing.text, list(nothing.hints)) == (api.REPLY_SOURCE_NONE, "", [])


async def test_compose_reply_through_the_llm(harness: Harness) -> None:
    async with FakeLlm() as fake:
        app = await harness.start_app(
            kb_import_file=str(FAQ), llm_base_url=fake.base_url, llm_api_key=SecretStr(fake.api_key)
        )
        stub = harness.stub(app)
        fake.add_rule("Если карточка утеряна, сразу заблокируйте её в приложении.", contains="утрат")
        response = await stub.ComposeReply(api.ComposeReplyRequest(query="Потеряла карточку, что делать?"))
        assert response.source == api.REPLY_SOURCE_LLM
        assert response.text == "Здравствуйте! Если карточка утеряна, сразу заблокируйте её в приложении."
        assert response.model
        assert "Действия при утрате карточки" in [hint.question for hint in response.hints]
        fake.fail(Fault("error", count=5, status=500))
        fallback = await stub.ComposeReply(api.ComposeReplyRequest(query="Потеряла карточку, что делать?"))
        assert fallback.source == api.REPLY_SOURCE_TEMPLATE
        focused = focused_answer(fallback.hints[0].answer, "Потеряла карточку, что делать?")
        assert fallback.text == f"Здравствуйте! {focused}\n\nЕсли останутся вопросы — пишите."
