"""Settings on pydantic-settings. Every service composes the pieces it needs and loads them with
`load_settings`, which turns a missing or malformed variable into one clear message at start."""

from __future__ import annotations

import sys
from typing import TypeVar

from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "T1_"


class TracingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    tracing_endpoint: str = Field(
        default="",
        description="OTLP/gRPC endpoint of the trace backend, e.g. http://127.0.0.1:4317; empty turns "
        "tracing off",
    )
    tracing_sample_ratio: float = Field(
        default=1.0,
        ge=0.0,
        le=1.0,
        description="share of traces recorded where they start (a customer's message, an operator's "
        "request); the rest of a trace follows its start's decision",
    )


class BaseServiceSettings(TracingSettings):
    """Fields every service has. Environment variables are prefixed with T1_."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    service_name: str = "t1"
    log_level: str = "INFO"
    log_json: bool = True
    metrics_port: int = Field(
        default=0, description="port of the ops server (/metrics, /livez, /readyz); 0 disables it"
    )
    metrics_host: str = Field(
        default="127.0.0.1", description="address the ops server listens on (0.0.0.0 in containers)"
    )


# How long a producer gathers records into one request (librdkafka's default; docs/decisions.md).
DEFAULT_KAFKA_LINGER_MS = 5


class KafkaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    kafka_bootstrap: str = Field(description="Kafka bootstrap servers, e.g. 127.0.0.1:9092")
    kafka_topic_prefix: str = Field(default="", description="prefix of every topic name (shared clusters)")
    kafka_topic_partitions: int = Field(
        default=3,
        ge=1,
        description="partitions of each topic this install creates (the most consumers "
        "of one group that share a topic's work)",
    )
    kafka_topic_replication_factor: int = Field(
        default=1,
        ge=1,
        description="replicas of each topic this install creates: 1 for one broker, 3 on "
        "a three-broker cluster",
    )
    kafka_max_attempts: int = Field(default=5, description="handler attempts before a message goes to DLQ")
    kafka_retry_backoff_s: float = 0.2
    kafka_retry_backoff_max_s: float = 5.0
    kafka_max_batch: int = Field(default=500, ge=1, description="records a consumer takes per poll")
    kafka_key_concurrency: int = Field(default=64, ge=1, description="keys a consumer handles at once")
    kafka_linger_ms: int = Field(
        default=DEFAULT_KAFKA_LINGER_MS,
        ge=0,
        le=1000,
        description="how long a producer gathers records into one request: more throughput and less "
        "broker CPU for up to this much latency per hop",
    )


class MongoSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    mongo_url: str = Field(description="MongoDB URL, e.g. mongodb://127.0.0.1:27017")
    mongo_db: str = "t1"


class RedisSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    redis_url: str = Field(description="Redis URL, e.g. redis://127.0.0.1:6379/0")


class S3Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    s3_endpoint: str = Field(description="S3 endpoint host:port, e.g. 127.0.0.1:9000")
    s3_access_key: str = Field(description="S3 access key")
    s3_secret_key: str = Field(description="S3 secret key")
    s3_secure: bool = False
    s3_region: str = "us-east-1"
    s3_bucket: str = "t1-attachments"


class QdrantSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", populate_by_name=True)

    qdrant_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("T1_QDRANT_URL", "QDRANT_URL"),
        description="Qdrant server URL (T1_QDRANT_URL or QDRANT_URL); unset means local mode",
    )
    qdrant_path: str = Field(default=".data/qdrant", description="directory of the local-mode Qdrant store")
    qdrant_api_key: str | None = Field(
        default=None, validation_alias=AliasChoices("T1_QDRANT_API_KEY", "QDRANT_API_KEY")
    )


SERVICE_TOKEN_MIN_LENGTH = 16


class ServiceAuthSettings(BaseSettings):
    """The secret every gRPC call between the components carries (t1lib.grpc checks it on the server)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    service_token: SecretStr = Field(
        min_length=SERVICE_TOKEN_MIN_LENGTH,
        description="the components' shared gRPC secret, at least 16 characters (`make up` and `make test` "
        "generate it into .data/secrets.env; `python3 -m infra.engines env` prints it)",
    )


class GrpcServerSettings(ServiceAuthSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    grpc_host: str = "127.0.0.1"
    grpc_port: int = 50051


SettingsT = TypeVar("SettingsT", bound=BaseSettings)


class SettingsError(SystemExit):
    """Raised (and exits the process) when the environment does not configure a service."""


def describe_errors(cls: type[BaseSettings], error: ValidationError) -> str:
    prefix = str(cls.model_config.get("env_prefix", ""))
    lines = [f"{cls.__name__}: the service is not configured:"]
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "?"
        info = cls.model_fields.get(field)
        hint = f" ({info.description})" if info is not None and info.description else ""
        problem = "is required" if item["type"] == "missing" else f"is invalid: {item['msg']}"
        lines.append(f"  {prefix}{field.upper()} {problem}{hint}")
    return "\n".join(lines)


def load_settings(cls: type[SettingsT]) -> SettingsT:
    """Build settings from the environment or exit with a message naming each bad variable."""
    try:
        return cls()
    except ValidationError as error:
        message = describe_errors(cls, error)
        print(message, file=sys.stderr)
        raise SettingsError(message) from error
