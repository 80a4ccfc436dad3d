"""The bot's per-chat throttle of sendChatAction: one call per chat per window, on an injected clock."""

from __future__ import annotations

from services.bot.typing_indicator import ChatThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_one_call_per_chat_per_window() -> None:
    clock = Clock()
    throttle = ChatThrottle(4.0, clock)
    assert throttle.admit(1)
    assert not throttle.admit(1)
    assert throttle.admit(2)  # another chat has a window of its own
    clock.now += 3.9
    assert not throttle.admit(1)
    clock.now += 0.1
    assert throttle.admit(1)
    assert not throttle.admit(1)


def test_a_refused_call_does_not_move_the_window() -> None:
    clock = Clock()
    throttle = ChatThrottle(4.0, clock)
    assert throttle.admit(1)
    clock.now += 2
    assert not throttle.admit(1)
    clock.now += 2  # 4 s after the admitted call, not after the refused one
    assert throttle.admit(1)


def test_forgets_chats_outside_the_window_when_it_holds_many() -> None:
    clock = Clock()
    throttle = ChatThrottle(4.0, clock)
    for chat_id in range(10_000):
        assert throttle.admit(chat_id)
    clock.now += 5
    assert throttle.admit(10_000)
    assert len(throttle._last) == 1
    assert throttle.admit(1)
