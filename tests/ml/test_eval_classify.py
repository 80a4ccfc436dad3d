"""The category report of services.ml.eval_classify (no engines): coverage, accuracy and unanswerable texts
categorised, by the confidence floor."""

from __future__ import annotations

from services.ml.eval_classify import Case, report
from services.ml.retriever import Classification


def test_the_report_counts_by_the_floor() -> None:
    inside = [
        (Case("a", "Карты", "MORE"), Classification("Карты", "MORE", 0.95)),
        (Case("b", "Карты", "MORE"), Classification("Карты", "Форсаж", 0.88)),
        (Case("c", "Вклады", "USD"), Classification("Карты", "MORE", 0.86)),
        (Case("d", "Вклады", "USD"), Classification("", "", 0.3)),
    ]
    outside = [Classification("Кредиты", "Старт", 0.9), Classification("", "", 0.1)]
    loose = report(inside, outside, 0.0)
    assert (loose["coverage"], loose["category_accuracy"], loose["subcategory_accuracy"]) == (
        0.75,
        0.6667,
        0.3333,
    )
    assert (loose["wrong_or_missing"], loose["unanswerable_categorised"]) == (2, 0.5)
    strict = report(inside, outside, 0.9)
    assert (strict["coverage"], strict["category_accuracy"], strict["unanswerable_categorised"]) == (
        0.25,
        1.0,
        0.5,
    )
    assert report(inside, outside, 0.95)["unanswerable_categorised"] == 0.0
