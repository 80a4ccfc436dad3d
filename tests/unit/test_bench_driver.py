"""The benchmark driver sends on its schedule: what is due at each tick, one request per tick at most."""

import random
from collections.abc import Sequence

import pytest

from bench import pipeline


def test_next_send_waits_for_the_next_tick_when_messages_are_due_sooner() -> None:
    assert pipeline.next_send(0.0030, 0.0021, 0.005) == pytest.approx(0.0029)


def test_next_send_waits_for_the_next_message_when_it_is_due_after_the_tick() -> None:
    assert pipeline.next_send(0.0100, 0.0021, 0.005) == pytest.approx(0.0079)


async def test_drive_sends_every_message_once_in_batches_of_a_tick(monkeypatch: pytest.MonkeyPatch) -> None:
    batches: list[list[str]] = []

    async def record(_client: object, items: Sequence[pipeline.Outgoing], base: str = "") -> list[object]:
        batches.append([item.nonce for item in items])
        return []

    monkeypatch.setattr(pipeline, "inject", record)
    run = pipeline.Run("test", rate=1000.0, duration_s=0.5, new_share=0.2)
    await pipeline.drive(None, pipeline.Customers("t", random.Random(1)), 1, run, tick_s=0.01)  # type: ignore[arg-type]
    sent = [nonce for batch in batches for nonce in batch]
    assert sent == [f"t.1.{n}" for n in range(1, 501)]
    # One request per 10 ms tick would be 50; sending each message alone would be 500.
    assert len(batches) <= 60
    scheduled = [item.scheduled - run.started for item in run.sent]
    assert scheduled == pytest.approx([n / 1000 for n in range(500)])
