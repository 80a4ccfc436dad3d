"""T1 services as real processes (`python -m services.<name>`, as `make up` runs them) on the local engines,
for tests that look at them from the outside: /metrics scraped by the local Prometheus, logs, traces.

Each stack has its own topic prefix, MongoDB database, S3 bucket, consumer groups and free ports, so it runs
beside `make up` and other tests. The fake Telegram runs when the bot does, the fake LLM when the summarizer
or ml does. Every process logs into `log_dir`; `logs()` gives their tails (printed when a start fails).

    with ProcessStack(["gateway", "message_saver", "notifications", "bot"], log_dir=tmp_path) as stack:
        customer = stack.customer(1001)            # plays the customer in the fake Telegram
        operator = await stack.operator()          # logs in to the gateway's REST API as the admin
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx
from confluent_kafka.admin import AdminClient
from minio import Minio
from openpyxl import Workbook, load_workbook
from pymongo import MongoClient

from infra.engines.__main__ import ENGINES, service_env
from infra.engines.base import REPO_ROOT, port_open
from infra.engines.prometheus import Prometheus
from t1lib.kafka.admin import all_topic_names, ensure_topics
from t1lib.kafka.topics import EVENT_TYPES, TopicRegistry
from tests.support.knowledge import FAQ
from tests.support.waiting import eventually, wait_until

SERVICES = ("message_saver", "notifications", "bot", "ml", "summarizer", "stats", "gateway")
MODULES = {"gateway": "gateway", **{name: f"services.{name}" for name in SERVICES if name != "gateway"}}
# Consumer groups get the run's id: one group id over two runs' topics would rebalance them together.
GROUPS = ("message_saver", "bot", "summarizer", "stats")
TELEGRAM_TOKEN = "123456:t1-process-stack"
LLM_API_KEY = "t1-process-stack-llm"
ADMIN_USERNAME = "admin"
TAIL_CHARS = 4000


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def small_kb(path: Path, entries: int = 12) -> Path:
    """The first `entries` rows of the tests' FAQ as a new workbook: ml embeds it in seconds, not a minute."""
    source = load_workbook(FAQ, read_only=True, data_only=True)
    target = Workbook()
    sheet = target.active
    assert sheet is not None
    for number, row in enumerate(source.worksheets[0].iter_rows(values_only=True)):
        if number > entries:
            break
        sheet.append(list(row))
    source.close()
    target.save(path)
    return path


def kind_of(instance: str) -> str:
    """The service of an instance: "message_saver-2" -> "message_saver"."""
    base, _, number = instance.rpartition("-")
    return base if base in SERVICES and number.isdigit() else instance


def prometheus() -> Prometheus:
    engine = ENGINES["prometheus"]
    assert isinstance(engine, Prometheus)
    return engine


@dataclass
class Process:
    name: str
    args: list[str]
    env: dict[str, str]
    log: Path
    # Ports to wait for: the service's own (gRPC, HTTP) and its /metrics.
    ports: tuple[int, ...]
    metrics_port: int = 0
    popen: subprocess.Popen[bytes] | None = None

    def tail(self) -> str:
        text = self.log.read_text(errors="replace") if self.log.is_file() else "(no log)"
        return text[-TAIL_CHARS:]


@dataclass
class ProcessStack:
    """The chosen services as processes; a context manager (start on enter; SIGTERM, cleanup on exit)."""

    services: Iterable[str]
    extra_env: Mapping[str, str] = field(default_factory=dict)
    log_dir: Path | None = None
    start_timeout_s: float = 90
    # ml imports this workbook at start; None: small_kb() of the tests' FAQ.
    kb_file: Path | None = None
    # Instances of a service (default 1), as `make up SCALE=n` runs them: "message_saver", "message_saver-2".
    scale: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        chosen = set(self.services)
        unknown = chosen - set(SERVICES)
        if unknown:
            raise ValueError(f"unknown services {sorted(unknown)}; known: {SERVICES}")
        self.names = [
            instance
            for name in SERVICES
            if name in chosen
            for instance in [name, *(f"{name}-{number}" for number in range(2, self.scale.get(name, 1) + 1))]
        ]
        self.run = uuid.uuid4().hex[:10]
        self.prefix = f"obs-{self.run}."
        self.database = f"obs_{self.run}"
        self.bucket = f"obs-{self.run}"
        self.registry = TopicRegistry(EVENT_TYPES, prefix=self.prefix)
        self.dir = self.log_dir or Path(tempfile.mkdtemp(prefix="t1-process-stack-"))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.ports = {name: free_port() for name in {*SERVICES, *self.names, "telegram", "llm"}}
        self.webhook_ports = {name: free_port() for name in self.names if kind_of(name) == "bot"}
        self.metrics_ports = {name: free_port() for name in self.names}
        self.admin_password = secrets.token_urlsafe(12)
        self.webhook_secret = secrets.token_urlsafe(24)
        self.processes: dict[str, Process] = {}
        self.engine_env = service_env()

    # Addresses

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    @property
    def telegram_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['telegram']}"

    @property
    def llm_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['llm']}"

    @property
    def targets_name(self) -> str:
        return f"process-stack-{self.run}"

    def metrics_targets(self) -> list[tuple[str, str]]:
        """(service, host:port) of every service's /metrics."""
        return [(name, f"127.0.0.1:{port}") for name, port in self.metrics_ports.items()]

    def instances(self) -> str:
        """A regex matching the `instance` label of this stack's series (and no other stack's)."""
        return "|".join(address.replace(".", "\\\\.") for _name, address in self.metrics_targets())

    def group(self, service: str) -> str:
        return f"{service}-{self.run}"

    def instances_of(self, service: str) -> list[str]:
        return [name for name in self.names if kind_of(name) == service]

    def addresses(self, service: str) -> str:
        """Every instance's address, as the gRPC clients take them (comma-separated)."""
        names = self.instances_of(service) or [service]
        return ",".join(f"127.0.0.1:{self.ports[name]}" for name in names)

    def webhook_url(self, bot: str) -> str:
        return f"http://127.0.0.1:{self.webhook_ports[bot]}/telegram/webhook"

    # Processes

    def _env(self) -> dict[str, str]:
        addr = {name: f"127.0.0.1:{port}" for name, port in self.ports.items()}
        return {
            **os.environ,
            **self.engine_env,
            "T1_KAFKA_TOPIC_PREFIX": self.prefix,
            "T1_MONGO_DB": self.database,
            "T1_S3_BUCKET": self.bucket,
            "T1_KAFKA_RETRY_BACKOFF_S": "0.05",
            "T1_JWT_SECRET": secrets.token_urlsafe(32),
            "T1_ADMIN_USERNAME": ADMIN_USERNAME,
            "T1_ADMIN_PASSWORD": self.admin_password,
            "T1_ADMIN_PASSWORD_FILE": str(self.dir / "admin-password"),
            "T1_TICKETS_GRPC_ADDR": self.addresses("message_saver"),
            "T1_ML_GRPC_ADDR": self.addresses("ml"),
            "T1_STATS_GRPC_ADDR": self.addresses("stats"),
            "T1_BOT_WEBHOOK_SECRET": self.webhook_secret,
            "T1_NOTIFICATIONS_WS_URL": f"ws://{addr['notifications']}/ws",
            "T1_SEARCH_DIR": str(self.dir / "search"),
            "T1_QDRANT_PATH": str(self.dir / "qdrant"),
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_API_URL": self.telegram_url,
            "T1_BOT_POLL_TIMEOUT_S": "5",
            "T1_LLM_BASE_URL": f"{self.llm_url}/v1",
            "T1_LLM_API_KEY": LLM_API_KEY,
            "OMP_WAIT_POLICY": "PASSIVE",
            **dict(self.extra_env),
        }

    def _own_env(self, name: str) -> dict[str, str]:
        kind = kind_of(name)
        port = str(self.ports[name])
        own = {"T1_METRICS_PORT": str(self.metrics_ports[name]), "T1_INSTANCE_NAME": name}
        if kind in GROUPS:
            # stats instances each keep every figure: every event, in a group of their own
            own["T1_CONSUMER_GROUP"] = self.group(name if kind == "stats" else kind)
        if kind in ("message_saver", "ml", "stats"):
            own["T1_GRPC_PORT"] = port
        if kind == "message_saver" and name != kind:  # its own search index
            own |= {
                "T1_SEARCH_DIR": str(self.dir / f"search-{name}"),
                "T1_SEARCH_CONSUMER_GROUP": self.group(name),
            }
        if kind == "notifications":
            own["T1_NOTIFICATIONS_PORT"] = port
        if kind == "gateway":
            own["T1_GATEWAY_PORT"] = port
            # gateway-2 relays the sockets of notifications-2, when there is one
            twin = name.replace("gateway", "notifications")
            if twin in self.ports and twin in self.names:
                own["T1_NOTIFICATIONS_WS_URL"] = f"ws://127.0.0.1:{self.ports[twin]}/ws"
        if kind == "summarizer" and "ml" not in self.names:
            own["T1_ML_GRPC_ADDR"] = ""  # titles without categories
        if kind == "ml":
            kb = self.kb_file or small_kb(self.dir / "kb.xlsx")
            own |= {"T1_KB_IMPORT_FILE": str(kb), "T1_ML_SYNC_INTERVAL_S": "0"}
            own["T1_QDRANT_PATH"] = str(self.dir / f"qdrant-{name}")
        if kind == "bot" and len(self.instances_of("bot")) > 1:
            # webhook mode; Telegram posts to the first bot, a test may post to any bot's own port
            own |= {
                "T1_BOT_WEBHOOK_URL": self.webhook_url(self.instances_of("bot")[0]),
                "T1_BOT_WEBHOOK_PORT": str(self.webhook_ports[name]),
            }
        return own

    def _plan(self) -> list[Process]:
        env = self._env()
        plan: list[Process] = []
        fakes = []
        if "bot" in self.names:
            fakes.append(("telegram", "fakes.telegram", ["--token", TELEGRAM_TOKEN]))
        if {"summarizer", "ml"} & set(self.names):
            fakes.append(("llm", "fakes.llm", ["--api-key", LLM_API_KEY]))
        for name, module, args in fakes:
            port = self.ports[name]
            plan.append(
                Process(
                    name,
                    [sys.executable, "-m", module, "--host", "127.0.0.1", "--port", str(port), *args],
                    env,
                    self.dir / f"{name}.log",
                    (port,),
                )
            )
        for name in self.names:
            listens = (
                (self.ports[name],)
                if kind_of(name) in ("message_saver", "ml", "stats", "notifications", "gateway")
                else ()
            )
            plan.append(
                Process(
                    name,
                    [sys.executable, "-m", MODULES[kind_of(name)]],
                    {**env, **self._own_env(name)},
                    self.dir / f"{name}.log",
                    (*listens, self.metrics_ports[name]),
                    self.metrics_ports[name],
                )
            )
        return plan

    def start(self) -> None:
        """Create the topics, start every process at once, wait until each listens, register /metrics."""
        ensure_topics(self.engine_env["T1_KAFKA_BOOTSTRAP"], self.registry)
        try:
            for process in self._plan():
                with process.log.open("ab") as log:
                    process.popen = subprocess.Popen(
                        process.args,
                        cwd=REPO_ROOT,
                        env=process.env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                self.processes[process.name] = process
            self._wait_listening()
        except BaseException:
            self.stop()
            raise
        prometheus().write_targets(self.targets_name, self.metrics_targets())

    def _wait_listening(self) -> None:
        waiting = dict(self.processes)

        def all_listening() -> bool:
            for name, process in list(waiting.items()):
                assert process.popen is not None
                if process.popen.poll() is not None:
                    raise RuntimeError(f"{name} exited with {process.popen.returncode}\n{self.logs()}")
                if all(port_open(port) for port in process.ports):
                    del waiting[name]
            return not waiting

        try:
            wait_until(all_listening, self.start_timeout_s, "the services to listen")
        except TimeoutError:
            raise RuntimeError(
                f"{sorted(waiting)} did not listen in {self.start_timeout_s} s\n{self.logs()}"
            ) from None

    def stop(self, timeout_s: float = 15) -> None:
        """SIGTERM to each process (the gateway first: no more calls in), wait, SIGKILL the ones left."""
        prometheus().remove_targets(self.targets_name)
        for process in reversed(list(self.processes.values())):
            if process.popen is not None and process.popen.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.popen.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for process in self.processes.values():
            if process.popen is None:
                continue
            try:
                process.popen.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.popen.pid, signal.SIGKILL)
                process.popen.wait()

    def cleanup(self) -> None:
        """Drop the run's topics, database and bucket."""
        admin = AdminClient({"bootstrap.servers": self.engine_env["T1_KAFKA_BOOTSTRAP"]})
        for future in admin.delete_topics(all_topic_names(self.registry), operation_timeout=10).values():
            with contextlib.suppress(Exception):
                future.result(15)
        mongo: MongoClient[dict[str, Any]] = MongoClient(self.engine_env["T1_MONGO_URL"])
        mongo.drop_database(self.database)
        mongo.close()
        s3 = Minio(
            self.engine_env["T1_S3_ENDPOINT"],
            access_key=self.engine_env["T1_S3_ACCESS_KEY"],
            secret_key=self.engine_env["T1_S3_SECRET_KEY"],
            secure=False,
        )
        if s3.bucket_exists(self.bucket):
            for item in s3.list_objects(self.bucket, recursive=True):
                s3.remove_object(self.bucket, str(item.object_name))
            s3.remove_bucket(self.bucket)

    def logs(self) -> str:
        return "\n".join(
            f"----- {name} ({process.log})\n{process.tail()}" for name, process in self.processes.items()
        )

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
        self.cleanup()

    # Playing the customer and the operator

    def customer(self, chat_id: int | None = None) -> Customer:
        """A customer in the fake Telegram; by default a chat id no earlier run used: ids of tickets and
        events derive from it, and the bot remembers deliveries by event id in the shared Redis."""
        chat_id = chat_id or 1_000_000 + uuid.uuid4().int % 1_000_000_000
        return Customer(httpx.AsyncClient(base_url=self.telegram_url, timeout=30), chat_id)

    async def operator(
        self, username: str = ADMIN_USERNAME, password: str | None = None, gateway: str = "gateway"
    ) -> Operator:
        """Logged in through `gateway` (an instance's name: "gateway", "gateway-2")."""
        api = httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.ports[gateway]}", timeout=30)
        return await Operator.login(api, username, password or self.admin_password)


@dataclass
class Customer:
    """A customer writing to the bot in the fake Telegram (its sandbox API, as tests/e2e does)."""

    sandbox: httpx.AsyncClient
    chat_id: int

    async def says(self, text: str) -> int:
        """Returns the Telegram message id."""
        body = {"text": text, "first_name": "Иван", "username": f"customer{self.chat_id}"}
        response = await self.sandbox.post(f"/sandbox/chats/{self.chat_id}/messages", json=body)
        response.raise_for_status()
        return int(response.json()["result"]["message_id"])

    async def sends_photo(self, name: str, data: bytes, caption: str = "") -> int:
        response = await self.sandbox.post(
            f"/sandbox/chats/{self.chat_id}/messages",
            data={"kind": "photo", "caption": caption, "first_name": "Иван"},
            files={"file": (name, data, "image/png")},
        )
        response.raise_for_status()
        return int(response.json()["result"]["message_id"])

    async def bot_sent(self, count: int, timeout_s: float = 30) -> list[dict[str, Any]]:
        """What the bot sent to this chat, once it sent at least `count` messages."""
        sent: list[dict[str, Any]] = []

        async def enough() -> bool:
            sent[:] = (await self.sandbox.get(f"/sandbox/chats/{self.chat_id}/sent")).json()["result"]
            return len(sent) >= count

        await eventually(enough, timeout_s, f"chat {self.chat_id}: {count} messages from the bot")
        return list(sent)

    async def press(self, sent: dict[str, Any], text: str) -> None:
        """Presses the inline button labelled `text` under a message the bot sent (`bot_sent` item)."""
        rows = sent["message"]["reply_markup"]["inline_keyboard"]
        data = next(button["callback_data"] for row in rows for button in row if button["text"] == text)
        pressed = await self.sandbox.post(
            f"/sandbox/chats/{self.chat_id}/messages/{sent['message_id']}/press", json={"data": data}
        )
        pressed.raise_for_status()

    async def close(self) -> None:
        await self.sandbox.aclose()


@dataclass
class Operator:
    """An operator on the gateway's REST API."""

    api: httpx.AsyncClient
    id: str
    token: str

    @classmethod
    async def login(cls, api: httpx.AsyncClient, username: str, password: str) -> Operator:
        response = await api.post("/api/v1/auth/login", json={"username": username, "password": password})
        response.raise_for_status()
        token = response.json()["access_token"]
        api.headers["Authorization"] = f"Bearer {token}"
        me = (await api.get("/api/v1/operators/me")).json()
        return cls(api, me["id"], token)

    async def create_operator(self, username: str, password: str) -> Operator:
        created = await self.api.post("/api/v1/operators", json={"username": username, "password": password})
        created.raise_for_status()
        api = httpx.AsyncClient(base_url=str(self.api.base_url), timeout=30)
        return await Operator.login(api, username, password)

    async def ticket_of(self, chat_id: int, timeout_s: float = 30) -> dict[str, Any]:
        """The customer's newest ticket in the operator's list, once it is there."""
        found: list[dict[str, Any]] = []

        async def listed() -> bool:
            page = (await self.api.get("/api/v1/tickets")).json()
            found[:] = [item for item in page["items"] if item["customer"]["chat_id"] == chat_id][:1]
            return bool(found)

        await eventually(listed, timeout_s, f"a ticket of chat {chat_id}")
        return dict(found[0])

    async def act(self, ticket_id: str, action: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST /api/v1/tickets/{id}/{action}: take, messages (a reply: body {"text": ...}), close."""
        response = await self.api.post(f"/api/v1/tickets/{ticket_id}/{action}", json=body)
        if response.status_code not in (200, 201):
            raise AssertionError(f"{action} {ticket_id}: {response.status_code} {response.text}")
        return dict(response.json())

    async def take(self, ticket_id: str) -> dict[str, Any]:
        return await self.act(ticket_id, "take")

    async def reply(self, ticket_id: str, text: str) -> dict[str, Any]:
        return await self.act(ticket_id, "messages", {"text": text})

    async def close_ticket(self, ticket_id: str) -> dict[str, Any]:
        return await self.act(ticket_id, "close")

    async def close(self) -> None:
        await self.api.aclose()
