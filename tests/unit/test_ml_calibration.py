"""Hint probability: the logistic fit, the features' KB-relative parts, the threshold and the reliability
table (no engines, no embedder)."""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from services.ml.eval import HintRows, choose_threshold, fit_logistic, predict, reliability, threshold_figures
from services.ml.kb import new_entry
from services.ml.retriever import Catalog, HintFeatures, Retriever, RetrieverConfig


def test_fit_logistic_recovers_the_weights_of_its_data() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(4000, 2))
    true = np.array([2.0, -1.0, 0.5])
    y = (rng.random(4000) < predict(true, x)).astype(float)
    fitted = fit_logistic(x, y)
    assert np.allclose(fitted, true, atol=0.25), fitted


def test_probability_grows_with_the_evidence() -> None:
    retriever = Retriever(cast(Any, None), cast(Any, None), RetrieverConfig())
    weak = retriever.probability(HintFeatures(above=0.02, lead=0.0, overlap=0.0))
    clear = retriever.probability(HintFeatures(above=0.12, lead=0.04, overlap=0.8))
    assert 0.0 <= weak < retriever.config.hint_threshold <= clear <= 1.0
    uncalibrated = Retriever(cast(Any, None), cast(Any, None), RetrieverConfig(hint_calibration=None))
    assert uncalibrated.probability(HintFeatures(0.12, 0.04, 0.8)) == 0.0


def test_overlap_weighs_the_query_words_by_idf() -> None:
    entries = [
        new_entry({"category": "Связь", "subcategory": "Роуминг", "question": q, "answer": a})
        for q, a in [
            ("Как подключить роуминг?", "Роуминг включён на всех номерах."),
            ("Как сменить тариф?", "В приложении, раздел тарифы."),
        ]
    ]
    catalog = Catalog(entries)
    roaming = entries[0].id
    assert catalog.overlap(frozenset({"роуминг"}), roaming) == 1.0
    assert catalog.overlap(frozenset({"пицц"}), roaming) == 0.0  # a word the base does not know
    assert catalog.overlap(frozenset(), roaming) == 0.0
    half = catalog.overlap(frozenset({"роуминг", "пицц"}), roaming)
    assert 0.0 < half < 1.0


def _rows() -> tuple[HintRows, np.ndarray]:
    # message 0 on-topic: right hit at 0.9; message 1 on-topic: right hit at 0.4; message 2 off-topic: 0.5
    rows = HintRows(
        features=[(0,), (0,), (0,), (0,)],
        labels=[1.0, 0.0, 1.0, 0.0],
        groups=[0, 0, 1, 2],
        on_topic=[True, True, False],
    )
    return rows, np.array([0.9, 0.2, 0.4, 0.5])


def test_threshold_figures_count_messages_not_hints() -> None:
    rows, predicted = _rows()
    figures = threshold_figures(rows, predicted, 0.45)
    assert figures == {"offtopic_no_hint_share": 0.0, "kept_share": 0.5, "right_kept_share": 0.5}
    assert threshold_figures(rows, predicted, 0.6)["offtopic_no_hint_share"] == 1.0


def test_the_threshold_is_the_lowest_that_silences_the_offtopic_messages() -> None:
    rows, predicted = _rows()
    assert choose_threshold(rows, predicted, offtopic_floor=0.95) == 0.51


def test_reliability_table_bins_predictions() -> None:
    table = reliability(np.array([0.05, 0.07, 0.95, 1.0]), np.array([0.0, 1.0, 1.0, 1.0]))
    assert table == [
        {"bin": "0.0-0.1", "n": 2, "predicted": 0.06, "right": 0.5},
        {"bin": "0.9-1.0", "n": 2, "predicted": 0.975, "right": 1.0},
    ]
