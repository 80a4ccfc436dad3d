"""Settings of stats, read from T1_* variables (see t1lib.config)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from t1lib.config import ENV_PREFIX, BaseServiceSettings, GrpcServerSettings, KafkaSettings, MongoSettings

CONSUMER_GROUP = "stats"
DEFAULT_GRPC_PORT = 8003


class StatsSettings(BaseServiceSettings, KafkaSettings, MongoSettings, GrpcServerSettings):
    """T1_KAFKA_BOOTSTRAP and T1_MONGO_URL are required."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    service_name: str = "stats"
    grpc_port: int = DEFAULT_GRPC_PORT
    consumer_group: str = Field(default=CONSUMER_GROUP, description="Kafka consumer group id")
    grpc_grace_s: float = Field(default=5.0, ge=0, description="time RPCs in flight get to finish at stop")
    time_zone: str = Field(
        default="Europe/Minsk", description="IANA time zone the figures' days are counted in"
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)
