"""Gateway settings (T1_* environment variables)."""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from t1lib.config import (
    BaseServiceSettings,
    KafkaSettings,
    MongoSettings,
    RedisSettings,
    S3Settings,
    ServiceAuthSettings,
)


class Settings(
    BaseServiceSettings, KafkaSettings, MongoSettings, RedisSettings, S3Settings, ServiceAuthSettings
):
    model_config = SettingsConfigDict(env_prefix="T1_", env_file=".env", extra="ignore")

    service_name: str = "gateway"
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8000
    tickets_grpc_addr: str = Field(
        description="message_saver's TicketService address, e.g. 127.0.0.1:8001 (several ip:port separated "
        "by commas, or dns:///name:port, are balanced round-robin)"
    )
    ml_grpc_addr: str = Field(default="127.0.0.1:8004", description="ml's HintsService address")
    stats_grpc_addr: str = Field(default="127.0.0.1:8003", description="stats' StatsService address")
    rating_timeout_s: float = Field(
        default=0.5, gt=0, description="deadline of the rating shown with a ticket (shown without it after)"
    )
    notifications_ws_url: str = Field(
        description="notifications' WebSocket endpoint, e.g. ws://127.0.0.1:8006/ws"
    )
    jwt_secret: SecretStr = Field(
        description="secret that signs operator access tokens (shared with notifications)"
    )
    access_token_ttl_s: int = 15 * 60
    refresh_token_ttl_s: int = 30 * 24 * 3600
    admin_username: str = "admin"
    admin_password: SecretStr | None = None
    admin_password_file: str = Field(
        default=".data/admin-password",
        description="where a generated first admin's password is kept (mode 0600) when none is set",
    )
    login_attempts_per_window: int = Field(default=10, description="failed logins per client and username")
    login_attempts_per_client: int = Field(
        default=50, description="failed logins per client address over every username (password spraying)"
    )
    login_window_s: int = 300
    max_upload_bytes: int = 20 * 1024 * 1024
    max_json_body_bytes: int = Field(
        default=64 * 1024, ge=1024, description="request body limit of the JSON routes (413 beyond)"
    )
    max_kb_body_bytes: int = Field(
        default=512 * 1024, ge=1024, description="request body limit of a knowledge-base entry (413 beyond)"
    )
    file_link_ttl_s: int = Field(
        default=15 * 60, ge=60, description="how long a file link in a message listing stays valid"
    )
    grpc_timeout_s: float = 5.0
    reply_draft_timeout_s: float = Field(
        default=20.0, description="deadline of ml's ComposeReply (longer than ml's LLM budget)"
    )
    console_dir: str = Field(default="frontend/dist", description="built operator console served at /")
    # How long a customer may wait for an answer (the console colours the queue by it).
    sla_warning_s: int = Field(
        default=300, gt=0, description="a customer waiting this many seconds is shown as a warning"
    )
    sla_breach_s: int = Field(
        default=900, gt=0, description="a customer waiting this many seconds is shown as a breach of the SLA"
    )
    trace_ui_url: str = Field(
        default="",
        description="the trace backend's UI (Jaeger), where admins open a message's trace; empty: no links",
    )
    cors_origins: list[str] = Field(
        default_factory=lambda: ["http://127.0.0.1:3001", "http://localhost:3001"]
    )

    @model_validator(mode="after")
    def _sla_thresholds_in_order(self) -> Self:
        if self.sla_warning_s >= self.sla_breach_s:
            raise ValueError(
                f"T1_SLA_WARNING_S ({self.sla_warning_s}) must be less than "
                f"T1_SLA_BREACH_S ({self.sla_breach_s})"
            )
        return self
