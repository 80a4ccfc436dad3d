"""Settings of summarizer, read from T1_* variables (see t1lib.config and t1lib.llm)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.summarizer.titles import TITLE_LIMIT
from t1lib.config import ENV_PREFIX, BaseServiceSettings, KafkaSettings, ServiceAuthSettings
from t1lib.llm import LlmSettings

CONSUMER_GROUP = "summarizer"
DEFAULT_ML_GRPC_ADDR = "127.0.0.1:8004"


class SummarizerSettings(BaseServiceSettings, KafkaSettings, LlmSettings, ServiceAuthSettings):
    """T1_KAFKA_BOOTSTRAP and T1_SERVICE_TOKEN (ml's) are required; without T1_LLM_API_KEY titles are made
    offline."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    service_name: str = "summarizer"
    consumer_group: str = Field(default=CONSUMER_GROUP, description="Kafka consumer group id")
    # Each title asks ml to classify the text (an embedding: CPU). More requests in flight than ml can
    # serve only queue up there and miss their deadline; a few at a time keep ml busy and on time.
    kafka_key_concurrency: int = Field(default=4, ge=1, description="title requests handled at once")
    # Titles are off the customer's path: waiting up to this long between polls gathers more requests into
    # each batch, so fewer ClassifyTexts calls, produce requests and message_saver title batches a second.
    title_batch_interval_s: float = Field(
        default=0.1, ge=0, le=5, description="least time between two polls of title requests"
    )
    ml_grpc_addr: str = Field(
        default=DEFAULT_ML_GRPC_ADDR, description="ml's HintsService host:port; empty skips categories"
    )
    ml_timeout_s: float = Field(default=2.0, gt=0, description="deadline of ClassifyText")
    # Measured with `python -m services.ml.eval_classify` (services/summarizer/README.md): from 0.85 the
    # categories given are right 93.7% of the time (91.3% of answerable texts get one) and 35% of texts the
    # knowledge base does not answer (leasing, a SWIFT transfer) get one; with no floor 90.1% and 45%.
    # 0.9 drops clear questions too (a lost card at 0.889).
    classify_min_confidence: float = Field(
        default=0.85, ge=0, le=1, description="categories with a lower ClassifyText confidence are left empty"
    )
    title_max_length: int = Field(default=TITLE_LIMIT, ge=10, le=TITLE_LIMIT)
    title_temperature: float = Field(default=0.2, ge=0, le=2)
    title_max_tokens: int = Field(default=48, ge=8, description="max_tokens of the title request")
    title_input_chars: int = Field(default=2000, ge=100, description="customer text sent to the LLM and ml")
    # A title is not urgent, but records are handled one at a time: keep a failing provider from holding
    # the queue for long (the offline title is used after the budget).
    llm_timeout_s: float = Field(default=10.0, gt=0, description="timeout of one LLM attempt")
    llm_total_timeout_s: float = Field(
        default=25.0, gt=0, description="LLM budget per title, retries included"
    )
