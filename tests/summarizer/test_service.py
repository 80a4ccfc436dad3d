"""summarizer end to end: chat_title_request on real Kafka → fake LLM / offline titles + ClassifyText over
gRPC → chat_title_generated (or the DLQ)."""

from __future__ import annotations

from fakes.llm import Fault
from services.summarizer.summarizer import TITLE_PROMPT, output_event_id
from t1.ml.v1 import hints_service_pb2 as hints_pb
from t1.summarizer.v1 import events_pb2 as summarizer_pb
from t1lib.events import new_event
from tests.summarizer.conftest import Harness, closed_port_address
from tests.support.waiting import eventually

LLM = summarizer_pb.TITLE_SOURCE_LLM
FALLBACK = summarizer_pb.TITLE_SOURCE_FALLBACK
PAYMENT = "Здравствуйте! Подскажите пожалуйста, у меня не проходит оплата картой в магазине. Что делать?"


async def test_title_from_the_llm(harness: Harness) -> None:
    await harness.start()
    request = await harness.request(PAYMENT)
    title = await harness.title_for(request)
    assert title.title == "Не проходит оплата картой в магазине"  # the fake's default title answer
    assert title.source == LLM
    assert title.model == "openai/gpt-4o-mini"
    assert title.ticket_id == request.ticket_id
    assert title.event_id == output_event_id(request.event_id)
    assert title.occurred_at.seconds > 0
    [call] = harness.llm.state.completions()
    assert call.messages == [
        {"role": "system", "content": TITLE_PROMPT.format(limit=60)},
        {"role": "user", "content": PAYMENT},  # Russian intact
    ]
    assert call.params["max_tokens"] == 48
    assert call.params["temperature"] == 0.2


async def test_llm_titles_are_cleaned_and_fit(harness: Harness) -> None:
    harness.llm.script(
        "Тема: «Не проходит оплата картой».\nПояснение: клиент не может оплатить покупку.",
        "не приходит смс с кодом подтверждения при входе в мобильное приложение банка на новом телефоне",
    )
    await harness.start()
    first = await harness.title_for(await harness.request(PAYMENT))
    assert (first.title, first.source) == ("Не проходит оплата картой", LLM)
    second = await harness.title_for(await harness.request("Не приходит смс"))
    assert second.source == LLM
    assert second.title == "Не приходит смс с кодом подтверждения при входе в мобильное"
    assert len(second.title) <= 60


async def test_a_server_error_is_retried(harness: Harness) -> None:
    harness.llm.fail(Fault("error", status=500))
    harness.llm.script("Оплата картой не проходит")
    await harness.start()
    title = await harness.title_for(await harness.request(PAYMENT))
    assert (title.title, title.source) == ("Оплата картой не проходит", LLM)
    assert [call.status for call in harness.llm.state.completions()] == [500, 200]


async def test_a_rate_limit_is_waited_out(harness: Harness) -> None:
    harness.llm.fail(Fault("rate_limit", retry_after=0.5))
    await harness.start()
    title = await harness.title_for(await harness.request(PAYMENT))
    assert title.source == LLM
    first, second = harness.llm.state.completions()
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 0.45


async def test_llm_down_gives_the_offline_title(harness: Harness) -> None:
    await harness.start(
        harness.settings(llm_base_url=f"http://{closed_port_address()}/v1", llm_max_retries=1)
    )
    title = await harness.title_for(await harness.request(PAYMENT))
    assert (title.title, title.source, title.model) == ("Не проходит оплата картой в магазине", FALLBACK, "")


async def test_llm_failing_after_the_retries_gives_the_offline_title(harness: Harness) -> None:
    harness.llm.fail(Fault("error", status=503, count=3))
    await harness.start()
    title = await harness.title_for(await harness.request("Добрый день! Заблокировали карту, помогите"))
    assert (title.title, title.source, title.model) == ("Блокировка карты", FALLBACK, "")
    assert [call.status for call in harness.llm.state.completions()] == [503, 503, 503]


async def test_llm_timeout_gives_the_offline_title(harness: Harness) -> None:
    harness.llm.fail(Fault("delay", count=2, delay_s=2.0))
    await harness.start(harness.settings(llm_timeout_s=0.3, llm_max_retries=1))
    title = await harness.title_for(await harness.request(PAYMENT))
    assert title.source == FALLBACK
    assert title.title == "Не проходит оплата картой в магазине"


async def test_without_a_key_the_llm_is_not_called(harness: Harness) -> None:
    await harness.start(harness.settings(llm_api_key=""))
    title = await harness.title_for(await harness.request("Здравствуйте, мне не приходит смс с кодом!"))
    assert (title.title, title.source, title.model) == ("Не приходит смс с кодом", FALLBACK, "")
    assert harness.llm.state.requests() == []


async def test_garbage_from_the_llm_falls_back(harness: Harness) -> None:
    harness.llm.script("Извините, я не могу помочь с этим запросом.", "…", "Card payment declined")
    await harness.start()
    requests = [await harness.request(PAYMENT) for _ in range(3)]
    for request in requests:
        title = await harness.title_for(request)
        assert (title.title, title.source, title.model) == (
            "Не проходит оплата картой в магазине",
            FALLBACK,
            "",
        )


async def test_the_category_from_ml_lands_in_the_event(harness: Harness) -> None:
    harness.hints.answer = hints_pb.ClassifyTextResponse(
        category="Карты", subcategory="Оплата картой", confidence=0.87
    )
    await harness.start()
    title = await harness.title_for(await harness.request(PAYMENT, "Карта Visa"))
    assert (title.category, title.subcategory) == ("Карты", "Оплата картой")
    assert title.source == LLM
    assert harness.hints.texts == [f"{PAYMENT}\nКарта Visa"]


async def test_waiting_requests_are_classified_together(harness: Harness) -> None:
    harness.hints.answer = hints_pb.ClassifyTextResponse(
        category="Карты", subcategory="Оплата", confidence=0.95
    )
    # Published before the instance starts, so its first polls find them waiting.
    requests = [await harness.request(f"{PAYMENT} №{number}") for number in range(8)]
    await harness.start(harness.settings(llm_api_key=""))
    for request in requests:
        title = await harness.title_for(request)
        assert (title.category, title.subcategory, title.source) == ("Карты", "Оплата", FALLBACK)
        assert title.event_id == output_event_id(request.event_id)
    assert sorted(harness.hints.texts) == sorted(f"{PAYMENT} №{number}" for number in range(8))
    assert harness.hints.calls < len(requests)


async def test_by_default_a_category_under_0_85_is_left_empty(harness: Harness) -> None:
    harness.hints.answer = hints_pb.ClassifyTextResponse(
        category="Продукты - Кредиты", subcategory="Потребительские - На всё про всё", confidence=0.84
    )
    await harness.start()
    title = await harness.title_for(await harness.request("Какая ставка по ипотеке на квартиру?"))
    assert (title.category, title.subcategory) == ("", "")
    assert title.title


async def test_an_unsure_ml_leaves_the_category_empty(harness: Harness) -> None:
    harness.hints.answer = hints_pb.ClassifyTextResponse(
        category="Карты", subcategory="Оплата", confidence=0.2
    )
    await harness.start(harness.settings(classify_min_confidence=0.5))
    title = await harness.title_for(await harness.request(PAYMENT))
    assert (title.category, title.subcategory) == ("", "")
    assert title.title


async def test_ml_unreachable_still_publishes_the_title(harness: Harness) -> None:
    harness.hints.answer = hints_pb.ClassifyTextResponse(category="Карты", confidence=0.9)  # not reached
    await harness.start(ml_address=closed_port_address())
    title = await harness.title_for(await harness.request(PAYMENT), timeout_s=15)
    assert (title.category, title.subcategory) == ("", "")
    assert (title.title, title.source) == ("Не проходит оплата картой в магазине", LLM)


async def test_slow_ml_does_not_hold_the_title(harness: Harness) -> None:
    harness.hints.answer = hints_pb.ClassifyTextResponse(category="Карты", confidence=0.9)
    harness.hints.delay_s = 3.0
    await harness.start(harness.settings(ml_timeout_s=0.3))
    request = await harness.request(PAYMENT)
    title = await harness.title_for(request, timeout_s=2.5)
    assert title.category == ""
    assert title.source == LLM


async def test_a_redelivered_request_yields_the_same_event_id(harness: Harness) -> None:
    await harness.start()
    request = await harness.request(PAYMENT)
    first = await harness.title_for(request)
    await harness.producer.publish(request)  # the same event again, as a redelivery brings it
    second = await harness.title_for(request, count=2)
    assert first.event_id == second.event_id == output_event_id(request.event_id)
    other = await harness.title_for(await harness.request(PAYMENT, ticket_id=request.ticket_id), count=3)
    assert other.event_id != first.event_id


async def test_a_restarted_instance_resumes_after_the_handled_requests(harness: Harness) -> None:
    settings = harness.settings()
    app = await harness.start(settings)
    first = await harness.request(PAYMENT)
    await harness.title_for(first)
    await app.stop()
    second = await harness.request("Не работает приложение")
    await harness.start(settings)  # same consumer group
    await harness.title_for(second)
    # A sentinel with the first request's key: same partition, later offset. Once its title is out, a
    # redelivery of the first request would have been titled before it.
    sentinel = await harness.request("Проверка", ticket_id=first.ticket_id)
    await harness.title_for(sentinel, count=2)
    made_for = [title.event_id for title in harness.titles(first.ticket_id)]
    assert made_for == [output_event_id(first.event_id), output_event_id(sentinel.event_id)]


async def test_malformed_requests_go_to_the_dlq(harness: Harness) -> None:
    await harness.start()
    await harness.producer.send(harness.request_topic, b"ticket-x", b"\xff\x00 not a protobuf", [])
    empty = new_event(summarizer_pb.ChatTitleRequest, ticket_id="ticket-empty", messages=["  ", ""])
    await harness.producer.publish(empty)
    good = await harness.request(PAYMENT)
    await harness.title_for(good)
    await eventually(lambda: len(harness.dead_letters()) == 2, 20, "two dead letters")
    reasons = {record.key_text: record.headers["dlq-reason"] for record in harness.dead_letters()}
    assert reasons == {"ticket-x": "undecodable", "ticket-empty": "rejected"}
    assert harness.titles("ticket-empty") == []
    errors = {record.key_text: record.headers["dlq-error"] for record in harness.dead_letters()}
    assert "without message text" in errors["ticket-empty"]
