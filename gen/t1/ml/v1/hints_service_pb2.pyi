from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Hint(_message.Message):
    __slots__ = ("entry_id", "question", "answer", "category", "subcategory", "score")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SUBCATEGORY_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    question: str
    answer: str
    category: str
    subcategory: str
    score: float
    def __init__(self, entry_id: _Optional[str] = ..., question: _Optional[str] = ..., answer: _Optional[str] = ..., category: _Optional[str] = ..., subcategory: _Optional[str] = ..., score: _Optional[float] = ...) -> None: ...

class GetHintsRequest(_message.Message):
    __slots__ = ("query", "limit", "category")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    query: str
    limit: int
    category: str
    def __init__(self, query: _Optional[str] = ..., limit: _Optional[int] = ..., category: _Optional[str] = ...) -> None: ...

class GetHintsResponse(_message.Message):
    __slots__ = ("hints",)
    HINTS_FIELD_NUMBER: _ClassVar[int]
    hints: _containers.RepeatedCompositeFieldContainer[Hint]
    def __init__(self, hints: _Optional[_Iterable[_Union[Hint, _Mapping]]] = ...) -> None: ...
