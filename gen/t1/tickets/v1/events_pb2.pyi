import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from t1.events.v1 import options_pb2 as _options_pb2
from t1.tickets.v1 import ticket_pb2 as _ticket_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OperatorReplyKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OPERATOR_REPLY_KIND_UNSPECIFIED: _ClassVar[OperatorReplyKind]
    OPERATOR_REPLY_KIND_MESSAGE: _ClassVar[OperatorReplyKind]
    OPERATOR_REPLY_KIND_TICKET_CLOSED: _ClassVar[OperatorReplyKind]
OPERATOR_REPLY_KIND_UNSPECIFIED: OperatorReplyKind
OPERATOR_REPLY_KIND_MESSAGE: OperatorReplyKind
OPERATOR_REPLY_KIND_TICKET_CLOSED: OperatorReplyKind

class TicketCreated(_message.Message):
    __slots__ = ("event_id", "occurred_at", "chat_id", "customer", "telegram_message_id", "text", "attachments", "edited", "sent_at")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    TELEGRAM_MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENTS_FIELD_NUMBER: _ClassVar[int]
    EDITED_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    occurred_at: _timestamp_pb2.Timestamp
    chat_id: int
    customer: _ticket_pb2.Customer
    telegram_message_id: int
    text: str
    attachments: _containers.RepeatedCompositeFieldContainer[_ticket_pb2.Attachment]
    edited: bool
    sent_at: _timestamp_pb2.Timestamp
    def __init__(self, event_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., chat_id: _Optional[int] = ..., customer: _Optional[_Union[_ticket_pb2.Customer, _Mapping]] = ..., telegram_message_id: _Optional[int] = ..., text: _Optional[str] = ..., attachments: _Optional[_Iterable[_Union[_ticket_pb2.Attachment, _Mapping]]] = ..., edited: _Optional[bool] = ..., sent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OperatorReply(_message.Message):
    __slots__ = ("event_id", "occurred_at", "ticket_id", "chat_id", "message_id", "operator_id", "text", "attachments", "kind", "language_code", "delivery_attempt")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENTS_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    occurred_at: _timestamp_pb2.Timestamp
    ticket_id: str
    chat_id: int
    message_id: str
    operator_id: str
    text: str
    attachments: _containers.RepeatedCompositeFieldContainer[_ticket_pb2.Attachment]
    kind: OperatorReplyKind
    language_code: str
    delivery_attempt: int
    def __init__(self, event_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ticket_id: _Optional[str] = ..., chat_id: _Optional[int] = ..., message_id: _Optional[str] = ..., operator_id: _Optional[str] = ..., text: _Optional[str] = ..., attachments: _Optional[_Iterable[_Union[_ticket_pb2.Attachment, _Mapping]]] = ..., kind: _Optional[_Union[OperatorReplyKind, str]] = ..., language_code: _Optional[str] = ..., delivery_attempt: _Optional[int] = ...) -> None: ...

class DeliveryOutcome(_message.Message):
    __slots__ = ("event_id", "occurred_at", "ticket_id", "message_id", "status", "reason", "delivery_attempt", "reply_event_id")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    REPLY_EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    occurred_at: _timestamp_pb2.Timestamp
    ticket_id: str
    message_id: str
    status: _ticket_pb2.DeliveryStatus
    reason: str
    delivery_attempt: int
    reply_event_id: str
    def __init__(self, event_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ticket_id: _Optional[str] = ..., message_id: _Optional[str] = ..., status: _Optional[_Union[_ticket_pb2.DeliveryStatus, str]] = ..., reason: _Optional[str] = ..., delivery_attempt: _Optional[int] = ..., reply_event_id: _Optional[str] = ...) -> None: ...

class OcrProcessed(_message.Message):
    __slots__ = ("event_id", "occurred_at", "ticket_id", "message_id", "attachment_id", "text", "languages")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENT_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    LANGUAGES_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    occurred_at: _timestamp_pb2.Timestamp
    ticket_id: str
    message_id: str
    attachment_id: str
    text: str
    languages: str
    def __init__(self, event_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ticket_id: _Optional[str] = ..., message_id: _Optional[str] = ..., attachment_id: _Optional[str] = ..., text: _Optional[str] = ..., languages: _Optional[str] = ...) -> None: ...

class OperatorTyping(_message.Message):
    __slots__ = ("event_id", "occurred_at", "ticket_id", "chat_id", "operator_id")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    occurred_at: _timestamp_pb2.Timestamp
    ticket_id: str
    chat_id: int
    operator_id: str
    def __init__(self, event_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ticket_id: _Optional[str] = ..., chat_id: _Optional[int] = ..., operator_id: _Optional[str] = ...) -> None: ...
