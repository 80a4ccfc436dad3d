import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from t1.events.v1 import options_pb2 as _options_pb2
from t1.tickets.v1 import ticket_pb2 as _ticket_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class WebsocketNotification(_message.Message):
    __slots__ = ("event_id", "occurred_at", "ticket_id", "type", "ticket", "message")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    TICKET_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    occurred_at: _timestamp_pb2.Timestamp
    ticket_id: str
    type: str
    ticket: _ticket_pb2.Ticket
    message: _ticket_pb2.Message
    def __init__(self, event_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ticket_id: _Optional[str] = ..., type: _Optional[str] = ..., ticket: _Optional[_Union[_ticket_pb2.Ticket, _Mapping]] = ..., message: _Optional[_Union[_ticket_pb2.Message, _Mapping]] = ...) -> None: ...
