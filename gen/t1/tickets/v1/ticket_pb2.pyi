import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TicketStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TICKET_STATUS_UNSPECIFIED: _ClassVar[TicketStatus]
    TICKET_STATUS_OPEN: _ClassVar[TicketStatus]
    TICKET_STATUS_ASSIGNED: _ClassVar[TicketStatus]
    TICKET_STATUS_CLOSED: _ClassVar[TicketStatus]

class TicketPriority(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TICKET_PRIORITY_UNSPECIFIED: _ClassVar[TicketPriority]
    TICKET_PRIORITY_LOW: _ClassVar[TicketPriority]
    TICKET_PRIORITY_NORMAL: _ClassVar[TicketPriority]
    TICKET_PRIORITY_HIGH: _ClassVar[TicketPriority]
    TICKET_PRIORITY_URGENT: _ClassVar[TicketPriority]

class MessageDirection(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MESSAGE_DIRECTION_UNSPECIFIED: _ClassVar[MessageDirection]
    MESSAGE_DIRECTION_CUSTOMER: _ClassVar[MessageDirection]
    MESSAGE_DIRECTION_OPERATOR: _ClassVar[MessageDirection]
    MESSAGE_DIRECTION_SYSTEM: _ClassVar[MessageDirection]

class AttachmentKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ATTACHMENT_KIND_UNSPECIFIED: _ClassVar[AttachmentKind]
    ATTACHMENT_KIND_PHOTO: _ClassVar[AttachmentKind]
    ATTACHMENT_KIND_DOCUMENT: _ClassVar[AttachmentKind]
    ATTACHMENT_KIND_VOICE: _ClassVar[AttachmentKind]
    ATTACHMENT_KIND_AUDIO: _ClassVar[AttachmentKind]
    ATTACHMENT_KIND_VIDEO: _ClassVar[AttachmentKind]

class DeliveryStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DELIVERY_STATUS_UNSPECIFIED: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_SENDING: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_SENT: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_FAILED: _ClassVar[DeliveryStatus]

class TicketEventKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TICKET_EVENT_KIND_UNSPECIFIED: _ClassVar[TicketEventKind]
    TICKET_EVENT_KIND_OPENED: _ClassVar[TicketEventKind]
    TICKET_EVENT_KIND_TAKEN: _ClassVar[TicketEventKind]
    TICKET_EVENT_KIND_ASSIGNED: _ClassVar[TicketEventKind]
    TICKET_EVENT_KIND_REPLIED: _ClassVar[TicketEventKind]
    TICKET_EVENT_KIND_CLOSED: _ClassVar[TicketEventKind]
TICKET_STATUS_UNSPECIFIED: TicketStatus
TICKET_STATUS_OPEN: TicketStatus
TICKET_STATUS_ASSIGNED: TicketStatus
TICKET_STATUS_CLOSED: TicketStatus
TICKET_PRIORITY_UNSPECIFIED: TicketPriority
TICKET_PRIORITY_LOW: TicketPriority
TICKET_PRIORITY_NORMAL: TicketPriority
TICKET_PRIORITY_HIGH: TicketPriority
TICKET_PRIORITY_URGENT: TicketPriority
MESSAGE_DIRECTION_UNSPECIFIED: MessageDirection
MESSAGE_DIRECTION_CUSTOMER: MessageDirection
MESSAGE_DIRECTION_OPERATOR: MessageDirection
MESSAGE_DIRECTION_SYSTEM: MessageDirection
ATTACHMENT_KIND_UNSPECIFIED: AttachmentKind
ATTACHMENT_KIND_PHOTO: AttachmentKind
ATTACHMENT_KIND_DOCUMENT: AttachmentKind
ATTACHMENT_KIND_VOICE: AttachmentKind
ATTACHMENT_KIND_AUDIO: AttachmentKind
ATTACHMENT_KIND_VIDEO: AttachmentKind
DELIVERY_STATUS_UNSPECIFIED: DeliveryStatus
DELIVERY_STATUS_SENDING: DeliveryStatus
DELIVERY_STATUS_SENT: DeliveryStatus
DELIVERY_STATUS_FAILED: DeliveryStatus
TICKET_EVENT_KIND_UNSPECIFIED: TicketEventKind
TICKET_EVENT_KIND_OPENED: TicketEventKind
TICKET_EVENT_KIND_TAKEN: TicketEventKind
TICKET_EVENT_KIND_ASSIGNED: TicketEventKind
TICKET_EVENT_KIND_REPLIED: TicketEventKind
TICKET_EVENT_KIND_CLOSED: TicketEventKind

class Customer(_message.Message):
    __slots__ = ("telegram_user_id", "chat_id", "first_name", "last_name", "username", "language_code")
    TELEGRAM_USER_ID_FIELD_NUMBER: _ClassVar[int]
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    telegram_user_id: int
    chat_id: int
    first_name: str
    last_name: str
    username: str
    language_code: str
    def __init__(self, telegram_user_id: _Optional[int] = ..., chat_id: _Optional[int] = ..., first_name: _Optional[str] = ..., last_name: _Optional[str] = ..., username: _Optional[str] = ..., language_code: _Optional[str] = ...) -> None: ...

class Attachment(_message.Message):
    __slots__ = ("id", "kind", "mime_type", "file_name", "size", "s3_key", "telegram_file_id", "ocr_text")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    S3_KEY_FIELD_NUMBER: _ClassVar[int]
    TELEGRAM_FILE_ID_FIELD_NUMBER: _ClassVar[int]
    OCR_TEXT_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: AttachmentKind
    mime_type: str
    file_name: str
    size: int
    s3_key: str
    telegram_file_id: str
    ocr_text: str
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[_Union[AttachmentKind, str]] = ..., mime_type: _Optional[str] = ..., file_name: _Optional[str] = ..., size: _Optional[int] = ..., s3_key: _Optional[str] = ..., telegram_file_id: _Optional[str] = ..., ocr_text: _Optional[str] = ...) -> None: ...

class Message(_message.Message):
    __slots__ = ("id", "ticket_id", "direction", "text", "attachments", "edited", "created_at", "edited_at", "operator_id", "telegram_message_id", "internal", "delivery_status", "delivery_error", "delivery_attempt", "client_message_id", "trace_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENTS_FIELD_NUMBER: _ClassVar[int]
    EDITED_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    EDITED_AT_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    TELEGRAM_MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    INTERNAL_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_STATUS_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_ERROR_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    CLIENT_MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    ticket_id: str
    direction: MessageDirection
    text: str
    attachments: _containers.RepeatedCompositeFieldContainer[Attachment]
    edited: bool
    created_at: _timestamp_pb2.Timestamp
    edited_at: _timestamp_pb2.Timestamp
    operator_id: str
    telegram_message_id: int
    internal: bool
    delivery_status: DeliveryStatus
    delivery_error: str
    delivery_attempt: int
    client_message_id: str
    trace_id: str
    def __init__(self, id: _Optional[str] = ..., ticket_id: _Optional[str] = ..., direction: _Optional[_Union[MessageDirection, str]] = ..., text: _Optional[str] = ..., attachments: _Optional[_Iterable[_Union[Attachment, _Mapping]]] = ..., edited: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., edited_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., operator_id: _Optional[str] = ..., telegram_message_id: _Optional[int] = ..., internal: _Optional[bool] = ..., delivery_status: _Optional[_Union[DeliveryStatus, str]] = ..., delivery_error: _Optional[str] = ..., delivery_attempt: _Optional[int] = ..., client_message_id: _Optional[str] = ..., trace_id: _Optional[str] = ...) -> None: ...

class Ticket(_message.Message):
    __slots__ = ("id", "title", "status", "customer", "assignee_id", "created_at", "updated_at", "last_message_at", "last_message_preview", "tags", "priority", "category", "subcategory", "closed_at", "message_count", "waiting_since", "last_customer_message_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_MESSAGE_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_MESSAGE_PREVIEW_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SUBCATEGORY_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_COUNT_FIELD_NUMBER: _ClassVar[int]
    WAITING_SINCE_FIELD_NUMBER: _ClassVar[int]
    LAST_CUSTOMER_MESSAGE_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    status: TicketStatus
    customer: Customer
    assignee_id: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    last_message_at: _timestamp_pb2.Timestamp
    last_message_preview: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    priority: TicketPriority
    category: str
    subcategory: str
    closed_at: _timestamp_pb2.Timestamp
    message_count: int
    waiting_since: _timestamp_pb2.Timestamp
    last_customer_message_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., status: _Optional[_Union[TicketStatus, str]] = ..., customer: _Optional[_Union[Customer, _Mapping]] = ..., assignee_id: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_message_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_message_preview: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., priority: _Optional[_Union[TicketPriority, str]] = ..., category: _Optional[str] = ..., subcategory: _Optional[str] = ..., closed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., message_count: _Optional[int] = ..., waiting_since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_customer_message_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TicketEvent(_message.Message):
    __slots__ = ("kind", "at", "actor_operator_id", "target_operator_id", "count", "last_at")
    KIND_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    LAST_AT_FIELD_NUMBER: _ClassVar[int]
    kind: TicketEventKind
    at: _timestamp_pb2.Timestamp
    actor_operator_id: str
    target_operator_id: str
    count: int
    last_at: _timestamp_pb2.Timestamp
    def __init__(self, kind: _Optional[_Union[TicketEventKind, str]] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor_operator_id: _Optional[str] = ..., target_operator_id: _Optional[str] = ..., count: _Optional[int] = ..., last_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
