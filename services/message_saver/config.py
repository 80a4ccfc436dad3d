"""Settings of message_saver, read from T1_* variables (see t1lib.config)."""

from __future__ import annotations

import socket

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.message_saver.ocr import OcrSetupError
from t1lib.config import (
    ENV_PREFIX,
    BaseServiceSettings,
    GrpcServerSettings,
    KafkaSettings,
    MongoSettings,
    RedisSettings,
    S3Settings,
)

DEFAULT_GRPC_PORT = 8001
CONSUMER_GROUP = "message_saver"
OCR_GROUP_SUFFIX = "-ocr"
SEARCH_GROUP_SUFFIX = "-search"


class MessageSaverSettings(
    BaseServiceSettings, KafkaSettings, MongoSettings, RedisSettings, GrpcServerSettings
):
    """T1_KAFKA_BOOTSTRAP, T1_MONGO_URL and T1_REDIS_URL are required; everything else has a default (the
    T1_S3_* addresses and keys are checked at start, and only while OCR is on)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    service_name: str = "message_saver"
    grpc_port: int = DEFAULT_GRPC_PORT
    grpc_grace_s: float = Field(default=5.0, description="seconds in-flight RPCs get to finish at stop")
    consumer_group: str = Field(default=CONSUMER_GROUP, description="Kafka consumer group id")
    # Customer messages must not end up in the DLQ because MongoDB was briefly away: with the backoff
    # capped at 5 s, 30 attempts ride out about two minutes before a record is dead-lettered.
    # Bad content (PermanentEventError) still goes to the DLQ at once.
    kafka_max_attempts: int = Field(default=30, description="handler attempts before a message goes to DLQ")
    # FerretDB evaluates conditional writes unisolated and only pushes {"_id": value} down to its
    # storage (docs/decisions.md): there this instance must be the only writer, checking conditions
    # itself. None: decided at start from the server (FerretDB -> single writer; MongoDB -> not).
    mongo_single_writer: bool | None = Field(
        default=None, description="this instance is the store's only writer; unset: true on FerretDB"
    )
    # With a single writer, instances take turns through a lease in Redis (t1lib/lease.py): the holder
    # writes; the others forward TicketService calls to it and take over when its lease expires.
    writer_lease_ttl_s: float = Field(
        default=10.0, gt=1, description="the writer lease's time to live: how long a dead writer blocks"
    )
    writer_lease_margin_s: float = Field(
        default=3.0,
        gt=0,
        description="the writer stops writing this long before its lease could expire (pauses, clocks)",
    )
    grpc_advertised_address: str = Field(
        default="",
        description="host:port other instances forward calls to while this one is the writer; empty: the "
        "gRPC host (or this machine's address when it listens on all interfaces) and port",
    )
    instance_name: str = Field(default_factory=socket.gethostname, description="names this instance")
    # A ticket's document lags its log (ticket_log.py) until a checkpoint; loading it catches up.
    checkpoint_after_s: float = Field(
        default=300.0,
        gt=0,
        description="write a ticket whose log has unwritten entries this many seconds after the oldest",
    )
    checkpoints_per_s: int = Field(
        default=200,
        gt=0,
        description="at most this many ticket checkpoints a second (each a store update): the ones due "
        "after a burst of new tickets are spread out instead of stalling the intake",
    )

    # The ticket lists' read model in Redis (services/message_saver/views.py).
    # operator_replies are published from an outbox (services/message_saver/outbox.py); its relay
    # publishes what a crash or a failed publish left behind.
    outbox_relay_interval_s: float = Field(default=5.0, gt=0, description="how often the relay looks")
    outbox_min_age_s: float = Field(
        default=5.0, ge=0, description="the relay leaves younger entries to the call that wrote them"
    )
    outbox_abandon_after_s: float = Field(
        default=600.0, gt=0, description="an entry whose reply or close was never stored is dropped after"
    )
    desk_metrics_interval_s: float = Field(
        default=15.0,
        ge=0,
        description="how often the desk's gauges (open tickets, oldest waiting customer, tickets per "
        "operator) are read from the lists' read model; 0: never",
    )
    views_prefix: str = Field(
        default="", description="prefix of the views' Redis keys; empty: t1:<mongo db>:"
    )

    # OCR of customers' images (services/message_saver/ocr_worker.py), off the intake's path.
    ocr_enabled: bool = Field(default=True, description="recognise text on customers' photos with tesseract")
    ocr_languages: str = Field(default="rus+eng", description="Tesseract languages, joined with +")
    ocr_timeout_s: float = Field(default=30.0, gt=0, description="seconds one tesseract run may take")
    ocr_concurrency: int = Field(default=1, ge=1, le=8, description="tesseract runs at a time")
    ocr_max_bytes: int = Field(default=20 * 1024 * 1024, gt=0, description="larger files are not OCR'd")
    ocr_max_pixels: int = Field(default=40_000_000, gt=0, description="larger images are not OCR'd")
    ocr_missing_object_attempts: int = Field(
        default=3, ge=1, description="attempts to find an attachment's S3 object before it goes to DLQ"
    )
    ocr_tesseract: str = Field(default="tesseract", description="the tesseract command")
    ocr_consumer_group: str = Field(default="", description="Kafka group of OCR; empty: <consumer group>-ocr")
    # Where the bot copied customers' files. Needed only while OCR is on, so optional here (the
    # variables are checked at start when T1_OCR_ENABLED is true).
    s3_endpoint: str = Field(default="", description="S3 endpoint host:port, e.g. 127.0.0.1:9000")
    s3_access_key: str = Field(default="", description="S3 access key")
    s3_secret_key: str = Field(default="", description="S3 secret key")
    s3_secure: bool = False
    s3_region: str = "us-east-1"
    s3_bucket: str = Field(default="t1-attachments", description="private bucket of customers' files")

    # Full-text search of ticket history (services/message_saver/search): a tantivy index on local disk,
    # fed by websocket_notifications in its own consumer group.
    search_enabled: bool = Field(default=True, description="keep the search index and serve SearchTickets")
    search_dir: str = Field(
        default=".data/search", description="directory of the search indexes (one per MongoDB database)"
    )
    search_consumer_group: str = Field(
        default="", description="Kafka group of the search index; empty: <consumer group>-search"
    )
    search_writer_heap_mb: int = Field(default=64, ge=16, description="memory of the index writer, MB")
    search_commit_interval_s: float = Field(
        default=1.0,
        ge=0.0,
        le=30.0,
        description="at most one index commit per this many seconds: a commit makes a segment that "
        "tantivy later merges, so fewer, larger commits cost less (search lags writes by about this much)",
    )
    search_writer_threads: int = Field(default=1, ge=1, le=8, description="indexing threads")

    @property
    def views_key_prefix(self) -> str:
        return self.views_prefix or f"t1:{self.mongo_db}:"

    @property
    def search_index_dir(self) -> str:
        return f"{self.search_dir.rstrip('/')}/{self.mongo_db}"

    @property
    def search_group(self) -> str:
        return self.search_consumer_group or self.consumer_group + SEARCH_GROUP_SUFFIX

    @property
    def ocr_group(self) -> str:
        return self.ocr_consumer_group or self.consumer_group + OCR_GROUP_SUFFIX

    def s3(self) -> S3Settings:
        """The S3 settings of OCR; raises OcrSetupError naming the variables that are not set."""
        required = {
            "T1_S3_ENDPOINT": self.s3_endpoint,
            "T1_S3_ACCESS_KEY": self.s3_access_key,
            "T1_S3_SECRET_KEY": self.s3_secret_key,
        }
        unset = [name for name, value in required.items() if not value]
        if unset:
            raise OcrSetupError(
                f"OCR is enabled (T1_OCR_ENABLED=true) and reads customers' files from S3: set "
                f"{', '.join(unset)}, or turn OCR off with T1_OCR_ENABLED=false"
            )
        return S3Settings(
            s3_endpoint=self.s3_endpoint,
            s3_access_key=self.s3_access_key,
            s3_secret_key=self.s3_secret_key,
            s3_secure=self.s3_secure,
            s3_region=self.s3_region,
            s3_bucket=self.s3_bucket,
        )
