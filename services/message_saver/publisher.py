"""Events message_saver publishes: websocket_notifications, chat_title_request and ocr_processed.

Every event id is derived (domain.event_id_for) from what caused it, so publishing again after a crash or
a redelivery produces the same id and downstream consumers drop the duplicate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from google.protobuf.message import Message
from opentelemetry.context import Context

from services.message_saver import convert, domain
from t1.notifications.v1 import events_pb2 as notifications
from t1.summarizer.v1 import events_pb2 as summarizer
from t1.tickets.v1 import events_pb2 as tickets_events
from t1.tickets.v1 import ticket_pb2 as pb
from t1lib.events import timestamp
from t1lib.kafka.producer import Acks, EventProducer


class Publisher:
    def __init__(self, producer: EventProducer) -> None:
        self._producer = producer

    async def publish_all(self, events: Sequence[Message]) -> None:
        """Publish in this order (kept per key), waiting for every acknowledgement together."""
        await self._producer.publish_many(events)

    async def hand_over_all(
        self, events: Sequence[Message], causes: Sequence[Context | None] | None = None
    ) -> Acks:
        """Publish in this order (kept per key); the acknowledgements are the caller's to wait for.
        `causes`: the trace each event continues (the current one without)."""
        return await self._producer.hand_over(events, causes)

    async def notify(
        self,
        kind: domain.Notification,
        source: str,
        ticket: Mapping[str, Any],
        message: Mapping[str, Any] | None = None,
    ) -> None:
        """Publish a `kind` notification caused by `source` (an event id, a message id, a ticket version)."""
        await self._producer.publish(self.notification(kind, source, ticket, message))

    @staticmethod
    def notification(
        kind: domain.Notification,
        source: str,
        ticket: Mapping[str, Any],
        message: Mapping[str, Any] | None = None,
        *,
        shown: pb.Ticket | None = None,
    ) -> notifications.WebsocketNotification:
        """`shown`: the ticket's proto when the caller has it already (the lists' copy of the same write)."""
        return notifications.WebsocketNotification(
            event_id=domain.event_id_for(source, kind),
            occurred_at=timestamp(),
            ticket_id=str(ticket["_id"]),
            type=str(kind),
            ticket=convert.ticket_proto(ticket) if shown is None else shown,
            message=None if message is None else convert.message_proto(message),
        )

    async def ticket_updated(self, ticket: Mapping[str, Any]) -> None:
        """ticket.updated for a change made through the API; the ticket's version names the change."""
        source = domain.ticket_version_key(str(ticket["_id"]), int(ticket.get("version", 0)))
        await self.notify(domain.Notification.TICKET_UPDATED, source, ticket)

    async def title_request(self, source: str, ticket: Mapping[str, Any], texts: Sequence[str]) -> None:
        """Ask for the ticket's title (and category) from `texts`, the customer's words."""
        await self._producer.publish(self.title_request_event(source, ticket, texts))

    @staticmethod
    def title_request_event(
        source: str, ticket: Mapping[str, Any], texts: Sequence[str]
    ) -> summarizer.ChatTitleRequest:
        customer = ticket.get("customer") or {}
        return summarizer.ChatTitleRequest(
            event_id=domain.event_id_for(source, "chat_title_request"),
            occurred_at=timestamp(),
            ticket_id=str(ticket["_id"]),
            messages=list(texts),
            language_code=str(customer.get("language_code", "")),
        )

    async def ocr_processed(
        self, source: str, message: Mapping[str, Any], attachment: Mapping[str, Any], languages: str
    ) -> None:
        """The text OCR found on one attachment of a stored message; `source` names that attachment."""
        await self._producer.publish(
            tickets_events.OcrProcessed(
                event_id=domain.event_id_for(source, "ocr_processed"),
                occurred_at=timestamp(),
                ticket_id=str(message["ticket_id"]),
                message_id=str(message["_id"]),
                attachment_id=str(attachment["id"]),
                text=str(attachment.get("ocr_text", "")),
                languages=languages,
            )
        )
