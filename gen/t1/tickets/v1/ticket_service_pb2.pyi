from t1.tickets.v1 import ticket_pb2 as _ticket_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TicketOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TICKET_ORDER_UNSPECIFIED: _ClassVar[TicketOrder]
    TICKET_ORDER_WAITING_LONGEST: _ClassVar[TicketOrder]
TICKET_ORDER_UNSPECIFIED: TicketOrder
TICKET_ORDER_WAITING_LONGEST: TicketOrder

class GetTicketRequest(_message.Message):
    __slots__ = ("ticket_id",)
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    def __init__(self, ticket_id: _Optional[str] = ...) -> None: ...

class GetTicketResponse(_message.Message):
    __slots__ = ("ticket",)
    TICKET_FIELD_NUMBER: _ClassVar[int]
    ticket: _ticket_pb2.Ticket
    def __init__(self, ticket: _Optional[_Union[_ticket_pb2.Ticket, _Mapping]] = ...) -> None: ...

class ListTicketsRequest(_message.Message):
    __slots__ = ("status", "assignee_id", "query", "page_token", "page_size", "category", "visible_to_operator_id", "order", "customer_chat_id")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_ID_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    VISIBLE_TO_OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    status: _ticket_pb2.TicketStatus
    assignee_id: str
    query: str
    page_token: str
    page_size: int
    category: str
    visible_to_operator_id: str
    order: TicketOrder
    customer_chat_id: int
    def __init__(self, status: _Optional[_Union[_ticket_pb2.TicketStatus, str]] = ..., assignee_id: _Optional[str] = ..., query: _Optional[str] = ..., page_token: _Optional[str] = ..., page_size: _Optional[int] = ..., category: _Optional[str] = ..., visible_to_operator_id: _Optional[str] = ..., order: _Optional[_Union[TicketOrder, str]] = ..., customer_chat_id: _Optional[int] = ...) -> None: ...

class ListTicketsResponse(_message.Message):
    __slots__ = ("tickets", "next_page_token")
    TICKETS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tickets: _containers.RepeatedCompositeFieldContainer[_ticket_pb2.Ticket]
    next_page_token: str
    def __init__(self, tickets: _Optional[_Iterable[_Union[_ticket_pb2.Ticket, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CountTicketsRequest(_message.Message):
    __slots__ = ("operator_id", "include_all")
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_ALL_FIELD_NUMBER: _ClassVar[int]
    operator_id: str
    include_all: bool
    def __init__(self, operator_id: _Optional[str] = ..., include_all: _Optional[bool] = ...) -> None: ...

class CountTicketsResponse(_message.Message):
    __slots__ = ("queue", "queue_waiting", "mine", "mine_waiting", "all_active")
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    QUEUE_WAITING_FIELD_NUMBER: _ClassVar[int]
    MINE_FIELD_NUMBER: _ClassVar[int]
    MINE_WAITING_FIELD_NUMBER: _ClassVar[int]
    ALL_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    queue: int
    queue_waiting: int
    mine: int
    mine_waiting: int
    all_active: int
    def __init__(self, queue: _Optional[int] = ..., queue_waiting: _Optional[int] = ..., mine: _Optional[int] = ..., mine_waiting: _Optional[int] = ..., all_active: _Optional[int] = ...) -> None: ...

class ListMessagesRequest(_message.Message):
    __slots__ = ("ticket_id", "page_token", "page_size", "include_internal", "newest_first", "direction")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_INTERNAL_FIELD_NUMBER: _ClassVar[int]
    NEWEST_FIRST_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    page_token: str
    page_size: int
    include_internal: bool
    newest_first: bool
    direction: _ticket_pb2.MessageDirection
    def __init__(self, ticket_id: _Optional[str] = ..., page_token: _Optional[str] = ..., page_size: _Optional[int] = ..., include_internal: _Optional[bool] = ..., newest_first: _Optional[bool] = ..., direction: _Optional[_Union[_ticket_pb2.MessageDirection, str]] = ...) -> None: ...

class ListMessagesResponse(_message.Message):
    __slots__ = ("messages", "next_page_token")
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[_ticket_pb2.Message]
    next_page_token: str
    def __init__(self, messages: _Optional[_Iterable[_Union[_ticket_pb2.Message, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class TakeTicketRequest(_message.Message):
    __slots__ = ("ticket_id", "operator_id")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    operator_id: str
    def __init__(self, ticket_id: _Optional[str] = ..., operator_id: _Optional[str] = ...) -> None: ...

class TakeTicketResponse(_message.Message):
    __slots__ = ("ticket",)
    TICKET_FIELD_NUMBER: _ClassVar[int]
    ticket: _ticket_pb2.Ticket
    def __init__(self, ticket: _Optional[_Union[_ticket_pb2.Ticket, _Mapping]] = ...) -> None: ...

class AssignTicketRequest(_message.Message):
    __slots__ = ("ticket_id", "operator_id", "assigned_by")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNED_BY_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    operator_id: str
    assigned_by: str
    def __init__(self, ticket_id: _Optional[str] = ..., operator_id: _Optional[str] = ..., assigned_by: _Optional[str] = ...) -> None: ...

class AssignTicketResponse(_message.Message):
    __slots__ = ("ticket",)
    TICKET_FIELD_NUMBER: _ClassVar[int]
    ticket: _ticket_pb2.Ticket
    def __init__(self, ticket: _Optional[_Union[_ticket_pb2.Ticket, _Mapping]] = ...) -> None: ...

class CloseTicketRequest(_message.Message):
    __slots__ = ("ticket_id", "operator_id")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    operator_id: str
    def __init__(self, ticket_id: _Optional[str] = ..., operator_id: _Optional[str] = ...) -> None: ...

class CloseTicketResponse(_message.Message):
    __slots__ = ("ticket",)
    TICKET_FIELD_NUMBER: _ClassVar[int]
    ticket: _ticket_pb2.Ticket
    def __init__(self, ticket: _Optional[_Union[_ticket_pb2.Ticket, _Mapping]] = ...) -> None: ...

class AddOperatorMessageRequest(_message.Message):
    __slots__ = ("ticket_id", "operator_id", "text", "attachments", "client_message_id")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENTS_FIELD_NUMBER: _ClassVar[int]
    CLIENT_MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    operator_id: str
    text: str
    attachments: _containers.RepeatedCompositeFieldContainer[_ticket_pb2.Attachment]
    client_message_id: str
    def __init__(self, ticket_id: _Optional[str] = ..., operator_id: _Optional[str] = ..., text: _Optional[str] = ..., attachments: _Optional[_Iterable[_Union[_ticket_pb2.Attachment, _Mapping]]] = ..., client_message_id: _Optional[str] = ...) -> None: ...

class AddOperatorMessageResponse(_message.Message):
    __slots__ = ("message",)
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    message: _ticket_pb2.Message
    def __init__(self, message: _Optional[_Union[_ticket_pb2.Message, _Mapping]] = ...) -> None: ...

class AddNoteRequest(_message.Message):
    __slots__ = ("ticket_id", "operator_id", "text")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    operator_id: str
    text: str
    def __init__(self, ticket_id: _Optional[str] = ..., operator_id: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class AddNoteResponse(_message.Message):
    __slots__ = ("message",)
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    message: _ticket_pb2.Message
    def __init__(self, message: _Optional[_Union[_ticket_pb2.Message, _Mapping]] = ...) -> None: ...

class UpdateTicketRequest(_message.Message):
    __slots__ = ("ticket_id", "tags", "priority", "category", "subcategory", "update_paths", "operator_id")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SUBCATEGORY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_PATHS_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    priority: _ticket_pb2.TicketPriority
    category: str
    subcategory: str
    update_paths: _containers.RepeatedScalarFieldContainer[str]
    operator_id: str
    def __init__(self, ticket_id: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., priority: _Optional[_Union[_ticket_pb2.TicketPriority, str]] = ..., category: _Optional[str] = ..., subcategory: _Optional[str] = ..., update_paths: _Optional[_Iterable[str]] = ..., operator_id: _Optional[str] = ...) -> None: ...

class UpdateTicketResponse(_message.Message):
    __slots__ = ("ticket",)
    TICKET_FIELD_NUMBER: _ClassVar[int]
    ticket: _ticket_pb2.Ticket
    def __init__(self, ticket: _Optional[_Union[_ticket_pb2.Ticket, _Mapping]] = ...) -> None: ...

class SearchTicketsRequest(_message.Message):
    __slots__ = ("query", "status", "visible_to_operator_id", "page_token", "page_size")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VISIBLE_TO_OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    query: str
    status: _ticket_pb2.TicketStatus
    visible_to_operator_id: str
    page_token: str
    page_size: int
    def __init__(self, query: _Optional[str] = ..., status: _Optional[_Union[_ticket_pb2.TicketStatus, str]] = ..., visible_to_operator_id: _Optional[str] = ..., page_token: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...

class SearchHit(_message.Message):
    __slots__ = ("ticket", "snippet", "matched_field", "message_id", "score", "highlights")
    TICKET_FIELD_NUMBER: _ClassVar[int]
    SNIPPET_FIELD_NUMBER: _ClassVar[int]
    MATCHED_FIELD_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    HIGHLIGHTS_FIELD_NUMBER: _ClassVar[int]
    ticket: _ticket_pb2.Ticket
    snippet: str
    matched_field: str
    message_id: str
    score: float
    highlights: _containers.RepeatedCompositeFieldContainer[TextRange]
    def __init__(self, ticket: _Optional[_Union[_ticket_pb2.Ticket, _Mapping]] = ..., snippet: _Optional[str] = ..., matched_field: _Optional[str] = ..., message_id: _Optional[str] = ..., score: _Optional[float] = ..., highlights: _Optional[_Iterable[_Union[TextRange, _Mapping]]] = ...) -> None: ...

class TextRange(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: int
    end: int
    def __init__(self, start: _Optional[int] = ..., end: _Optional[int] = ...) -> None: ...

class SearchTicketsResponse(_message.Message):
    __slots__ = ("hits", "next_page_token")
    HITS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    hits: _containers.RepeatedCompositeFieldContainer[SearchHit]
    next_page_token: str
    def __init__(self, hits: _Optional[_Iterable[_Union[SearchHit, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RetryDeliveryRequest(_message.Message):
    __slots__ = ("ticket_id", "message_id", "operator_id")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    message_id: str
    operator_id: str
    def __init__(self, ticket_id: _Optional[str] = ..., message_id: _Optional[str] = ..., operator_id: _Optional[str] = ...) -> None: ...

class RetryDeliveryResponse(_message.Message):
    __slots__ = ("message",)
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    message: _ticket_pb2.Message
    def __init__(self, message: _Optional[_Union[_ticket_pb2.Message, _Mapping]] = ...) -> None: ...

class ListTicketEventsRequest(_message.Message):
    __slots__ = ("ticket_id",)
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    def __init__(self, ticket_id: _Optional[str] = ...) -> None: ...

class ListTicketEventsResponse(_message.Message):
    __slots__ = ("events",)
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_ticket_pb2.TicketEvent]
    def __init__(self, events: _Optional[_Iterable[_Union[_ticket_pb2.TicketEvent, _Mapping]]] = ...) -> None: ...
