"""Apache Kafka 4.x as a single-node KRaft broker+controller on loopback, built from Maven Central jars.

Stdlib only: this runs before the project's virtualenv exists.
"""

from __future__ import annotations

import base64
import re
import shutil
import socket
import struct
import uuid
from pathlib import Path

from infra.engines.base import CACHE_DIR, HOST, Engine, env_port, port_open, run

POM = Path(__file__).with_name("pom.xml")
VERSION: str = re.findall(r"<kafka\.version>([^<]+)<", POM.read_text())[0]
HOME = CACHE_DIR / f"kafka-{VERSION}"
LIBS = HOME / "libs"

LOG4J2 = """\
status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = ${sys:t1.log.level:-INFO}
rootLogger.appenderRef.out.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.authorizer.name = kafka.authorizer.logger
logger.authorizer.level = WARN
"""


def new_cluster_id() -> str:
    """A random KRaft cluster id that the storage tool's argument parser reads as a value.

    Like Kafka's own Uuid.randomUuid(): an id starting with '-' is taken for an option, so draw again.
    """
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cluster_id.startswith("-"):
            return cluster_id


class Kafka(Engine):
    name = "kafka"
    default_port = 9092
    start_timeout_s = 120.0

    @property
    def controller_port(self) -> int:
        return env_port("kafka_controller", self.port + 1)

    @property
    def kraft_dir(self) -> Path:
        return self.data_dir / "kraft"

    def installed(self) -> bool:
        return (LIBS / f"kafka_2.13-{VERSION}.jar").is_file()

    def install(self) -> None:
        staging = HOME / "libs.partial"
        shutil.rmtree(staging, ignore_errors=True)
        copy = ["dependency:copy-dependencies", "-DincludeScope=runtime", f"-DoutputDirectory={staging}"]
        run(["mvn", "-q", "-B", "-Dstyle.color=never", "-f", str(POM), *copy])
        shutil.rmtree(LIBS, ignore_errors=True)
        staging.rename(LIBS)

    def prepare(self) -> None:
        props = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@{HOST}:{self.controller_port}",
            "listeners": f"PLAINTEXT://{HOST}:{self.port},CONTROLLER://{HOST}:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://{HOST}:{self.port}",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "log.dirs": str(self.kraft_dir),
            "num.partitions": "3",
            "default.replication.factor": "1",
            "min.insync.replicas": "1",
            "auto.create.topics.enable": "true",
            "group.initial.rebalance.delay.ms": "0",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            # Small box: fewer threads, and a 16 MiB (not 128 MiB) compaction buffer inside a 512 MiB heap.
            "num.network.threads": "2",
            "num.io.threads": "4",
            "num.recovery.threads.per.data.dir": "1",
            "background.threads": "4",
            "log.cleaner.threads": "1",
            "log.cleaner.dedupe.buffer.size": str(16 * 1024 * 1024),
            # After a kill -9 a restart's registration is refused until the old session expires (default 9s).
            "broker.heartbeat.interval.ms": "1000",
            "broker.session.timeout.ms": "4000",
        }
        config = self.data_dir / "server.properties"
        config.write_text("".join(f"{key}={value}\n" for key, value in props.items()))
        (self.data_dir / "log4j2.properties").write_text(LOG4J2)
        if not (self.kraft_dir / "meta.properties").exists():
            cluster_id = new_cluster_id()
            fmt = ["format", "--config", str(config), "--cluster-id", cluster_id, "--ignore-formatted"]
            run([*self._java(), "-Dt1.log.level=WARN", "kafka.tools.StorageTool", *fmt])

    def _java(self) -> list[str]:
        return [
            "java",
            "-Xms256m",
            "-Xmx512m",
            "-XX:+UseSerialGC",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Dkafka.logs.dir={self.data_dir}",
            f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.properties'}",
            "-cp",
            f"{LIBS}/*",
        ]

    def command(self) -> list[str]:
        return [*self._java(), "kafka.Kafka", str(self.data_dir / "server.properties")]

    def healthy(self) -> bool:
        """Serving requests and registered: a Metadata v4 request lists at least one (unfenced) broker."""
        if not port_open(self.port):
            return False
        client = b"t1-health"
        # Header v1 (api_key 3 = Metadata, v4, correlation 1, client id); body: no topics, no auto-create.
        message = struct.pack(">hhih", 3, 4, 1, len(client)) + client + struct.pack(">i?", 0, False)
        try:
            with (
                socket.create_connection((HOST, self.port), timeout=2) as sock,
                sock.makefile("rb") as reader,
            ):
                sock.sendall(struct.pack(">i", len(message)) + message)
                (size,) = struct.unpack(">i", reader.read(4))
                correlation, _throttle, brokers = struct.unpack(">iii", reader.read(size)[:12])
        except (OSError, struct.error):
            return False
        return bool(correlation == 1 and brokers >= 1)
