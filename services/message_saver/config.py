"""Settings of message_saver, read from T1_* variables (see t1lib.config)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from t1lib.config import (
    ENV_PREFIX,
    BaseServiceSettings,
    GrpcServerSettings,
    KafkaSettings,
    MongoSettings,
)

DEFAULT_GRPC_PORT = 8001
CONSUMER_GROUP = "message_saver"


class MessageSaverSettings(BaseServiceSettings, KafkaSettings, MongoSettings, GrpcServerSettings):
    """T1_KAFKA_BOOTSTRAP and T1_MONGO_URL are required; everything else has a default."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    service_name: str = "message_saver"
    grpc_port: int = DEFAULT_GRPC_PORT
    grpc_grace_s: float = Field(default=5.0, description="seconds in-flight RPCs get to finish at stop")
    consumer_group: str = Field(default=CONSUMER_GROUP, description="Kafka consumer group id")
    # Customer messages must not end up in the DLQ because MongoDB was briefly away: with the backoff
    # capped at 5 s, 30 attempts ride out about two minutes before a record is dead-lettered.
    # Bad content (PermanentEventError) still goes to the DLQ at once.
    kafka_max_attempts: int = Field(default=30, description="handler attempts before a message goes to DLQ")
