"""Notifications settings (T1_* environment variables)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from t1lib.config import BaseServiceSettings, KafkaSettings, RedisSettings


class Settings(BaseServiceSettings, KafkaSettings, RedisSettings):
    model_config = SettingsConfigDict(env_prefix="T1_", env_file=".env", extra="ignore")

    service_name: str = "notifications"
    notifications_host: str = "127.0.0.1"
    notifications_port: int = 8006
    jwt_secret: SecretStr = Field(
        description="secret that signs operator access tokens (shared with the gateway)"
    )
    access_check_interval_s: float = Field(
        default=2.0, gt=0, description="how often a live socket's token is checked against its account"
    )
    connection_queue_size: int = Field(default=1000, description="events buffered per slow connection")
