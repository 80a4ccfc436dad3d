import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from t1.events.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TitleSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TITLE_SOURCE_UNSPECIFIED: _ClassVar[TitleSource]
    TITLE_SOURCE_LLM: _ClassVar[TitleSource]
    TITLE_SOURCE_FALLBACK: _ClassVar[TitleSource]
TITLE_SOURCE_UNSPECIFIED: TitleSource
TITLE_SOURCE_LLM: TitleSource
TITLE_SOURCE_FALLBACK: TitleSource

class ChatTitleRequest(_message.Message):
    __slots__ = ("event_id", "occurred_at", "ticket_id", "messages", "language_code")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    occurred_at: _timestamp_pb2.Timestamp
    ticket_id: str
    messages: _containers.RepeatedScalarFieldContainer[str]
    language_code: str
    def __init__(self, event_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ticket_id: _Optional[str] = ..., messages: _Optional[_Iterable[str]] = ..., language_code: _Optional[str] = ...) -> None: ...

class ChatTitleGenerated(_message.Message):
    __slots__ = ("event_id", "occurred_at", "ticket_id", "title", "source", "model", "category", "subcategory")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SUBCATEGORY_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    occurred_at: _timestamp_pb2.Timestamp
    ticket_id: str
    title: str
    source: TitleSource
    model: str
    category: str
    subcategory: str
    def __init__(self, event_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ticket_id: _Optional[str] = ..., title: _Optional[str] = ..., source: _Optional[_Union[TitleSource, str]] = ..., model: _Optional[str] = ..., category: _Optional[str] = ..., subcategory: _Optional[str] = ...) -> None: ...
