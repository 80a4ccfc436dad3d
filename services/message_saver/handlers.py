"""Kafka handlers: decode is done by the consumer; each handler hands the event to Intake (or, for
delivery_outcomes, to the DeliveryTracker)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from google.protobuf.message import Message

from services.message_saver.delivery import DeliveryTracker
from services.message_saver.intake import Intake
from t1.summarizer.v1 import events_pb2 as summarizer
from t1.tickets.v1 import events_pb2 as tickets_events
from t1lib.kafka.consumer import BatchHandler, EventContext, Handler
from t1lib.kafka.producer import Acks


def handlers(intake: Intake, deliveries: DeliveryTracker) -> Mapping[type[Message], Handler]:
    async def on_ticket_created(event: tickets_events.TicketCreated, _context: EventContext) -> None:
        await intake.customer_message(event)

    async def on_title_generated(event: summarizer.ChatTitleGenerated, _context: EventContext) -> None:
        await intake.title_generated(event)

    async def on_delivery_outcome(event: tickets_events.DeliveryOutcome, _context: EventContext) -> None:
        await deliveries.outcome(event)

    return {
        tickets_events.TicketCreated: on_ticket_created,
        summarizer.ChatTitleGenerated: on_title_generated,
        tickets_events.DeliveryOutcome: on_delivery_outcome,
    }


def batch_handlers(intake: Intake) -> Mapping[type[Message], BatchHandler]:
    async def on_ticket_created_batch(
        items: Sequence[tuple[tickets_events.TicketCreated, EventContext]],
    ) -> Acks:
        return await intake.customer_messages(
            [event for event, _context in items], [context.trace for _event, context in items]
        )

    async def on_title_generated_batch(
        items: Sequence[tuple[summarizer.ChatTitleGenerated, EventContext]],
    ) -> Acks:
        return await intake.titles_generated([event for event, _context in items])

    return {
        tickets_events.TicketCreated: on_ticket_created_batch,
        summarizer.ChatTitleGenerated: on_title_generated_batch,
    }
