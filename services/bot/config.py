"""Settings of the bot. TELEGRAM_BOT_TOKEN (or T1_TELEGRAM_BOT_TOKEN), T1_KAFKA_BOOTSTRAP, T1_REDIS_URL and
T1_S3_ENDPOINT/T1_S3_ACCESS_KEY/T1_S3_SECRET_KEY are required; everything else has a default."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from t1lib.config import ENV_PREFIX, BaseServiceSettings, KafkaSettings, RedisSettings, S3Settings

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_WEBHOOK_PORT = 8002
CONSUMER_GROUP = "bot"


class TelegramSettings(BaseSettings):
    """The Bot API: requests go to {telegram_api_url}/bot{token}/{method}, files come from
    {telegram_api_url}/file/bot{token}/{file_path}."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", populate_by_name=True)

    telegram_bot_token: SecretStr = Field(
        validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "T1_TELEGRAM_BOT_TOKEN"),
        description="the bot's token from @BotFather (TELEGRAM_BOT_TOKEN or T1_TELEGRAM_BOT_TOKEN)",
    )
    telegram_api_url: str = Field(
        default=DEFAULT_API_URL,
        validation_alias=AliasChoices("TELEGRAM_API_URL", "T1_TELEGRAM_API_URL"),
        description="Bot API root (TELEGRAM_API_URL), e.g. http://127.0.0.1:8081 for the fake",
    )

    @property
    def api_base_url(self) -> str:
        return f"{self.telegram_api_url.rstrip('/')}/bot"

    @property
    def file_base_url(self) -> str:
        return f"{self.telegram_api_url.rstrip('/')}/file/bot"


class BotSettings(BaseServiceSettings, KafkaSettings, RedisSettings, S3Settings, TelegramSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", extra="ignore", populate_by_name=True
    )

    service_name: str = "bot"
    consumer_group: str = Field(
        default=CONSUMER_GROUP, description="Kafka consumer group of operator_replies"
    )

    # Receiving updates: long polling unless a webhook URL is set.
    bot_poll_timeout_s: int = Field(default=30, description="getUpdates long-poll timeout")
    bot_poll_interval_s: float = Field(
        default=0.025,
        ge=0,
        le=1,
        description="pause after each getUpdates answer, so a busy chat flow comes in batches",
    )
    bot_concurrency: int = Field(
        default=256, ge=1, description="updates handled at once (one at a time per chat, in order)"
    )
    bot_max_pending_updates: int = Field(
        default=2048, ge=1, description="updates taken from Telegram and not yet handled; polling waits here"
    )
    bot_webhook_url: str = Field(default="", description="public HTTPS URL Telegram posts updates to")
    bot_webhook_secret: SecretStr = Field(
        default=SecretStr(""),
        description="X-Telegram-Bot-Api-Secret-Token; random per start when empty (one instance only: "
        "instances behind one URL must share it)",
    )
    bot_webhook_host: str = "127.0.0.1"
    bot_webhook_port: int = DEFAULT_WEBHOOK_PORT
    bot_webhook_reuse_port: bool = Field(
        default=False,
        description="listen with SO_REUSEPORT, so that several instances on one machine share the webhook's "
        "port and the kernel spreads Telegram's connections over them",
    )

    # Calling Telegram.
    bot_send_attempts: int = Field(default=5, description="tries of one Bot API call on network errors")
    bot_send_backoff_s: float = 0.5
    bot_send_backoff_max_s: float = 10.0
    bot_max_retry_after_s: float = Field(
        default=300.0, description="longest total flood-control wait (429 retry_after) for one call"
    )

    # Delivering operator replies exactly once per event id.
    bot_claim_ttl_s: float = Field(default=15.0, description="lifetime of a delivery claim unless renewed")
    bot_claim_wait_s: float = Field(
        default=60.0, description="how long a redelivered event waits for another sender's claim"
    )
    bot_delivery_state_ttl_s: int = Field(
        default=14 * 24 * 3600, description="how long sent event ids are kept"
    )

    # «Печатает…» while an operator types (operator_typing → sendChatAction), best effort.
    bot_typing_window_s: float = Field(
        default=4.0, gt=0, description="at most one sendChatAction per chat this often (Telegram shows ~5 s)"
    )
    bot_typing_max_age_s: float = Field(
        default=5.0, gt=0, description="typing events older than this are dropped"
    )
    bot_typing_timeout_s: float = Field(default=3.0, gt=0, description="deadline of one sendChatAction")

    # Customer messages: tries of copying files and publishing before the customer is asked to resend.
    bot_ingest_attempts: int = 5
    bot_ingest_backoff_s: float = 0.5

    @property
    def typing_consumer_group(self) -> str:
        """operator_typing has a group of its own: it never shares a poll with operator_replies."""
        return f"{self.consumer_group}-typing"

    @property
    def webhook_mode(self) -> bool:
        return bool(self.bot_webhook_url)
