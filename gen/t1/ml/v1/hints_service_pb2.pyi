from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReplySource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REPLY_SOURCE_UNSPECIFIED: _ClassVar[ReplySource]
    REPLY_SOURCE_LLM: _ClassVar[ReplySource]
    REPLY_SOURCE_TEMPLATE: _ClassVar[ReplySource]
    REPLY_SOURCE_NONE: _ClassVar[ReplySource]
REPLY_SOURCE_UNSPECIFIED: ReplySource
REPLY_SOURCE_LLM: ReplySource
REPLY_SOURCE_TEMPLATE: ReplySource
REPLY_SOURCE_NONE: ReplySource

class Hint(_message.Message):
    __slots__ = ("entry_id", "question", "answer", "category", "subcategory", "score", "probability")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SUBCATEGORY_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    question: str
    answer: str
    category: str
    subcategory: str
    score: float
    probability: float
    def __init__(self, entry_id: _Optional[str] = ..., question: _Optional[str] = ..., answer: _Optional[str] = ..., category: _Optional[str] = ..., subcategory: _Optional[str] = ..., score: _Optional[float] = ..., probability: _Optional[float] = ...) -> None: ...

class KnowledgeEntry(_message.Message):
    __slots__ = ("id", "category", "subcategory", "question", "answer", "priority", "audience", "variants")
    ID_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SUBCATEGORY_FIELD_NUMBER: _ClassVar[int]
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    AUDIENCE_FIELD_NUMBER: _ClassVar[int]
    VARIANTS_FIELD_NUMBER: _ClassVar[int]
    id: str
    category: str
    subcategory: str
    question: str
    answer: str
    priority: str
    audience: str
    variants: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., category: _Optional[str] = ..., subcategory: _Optional[str] = ..., question: _Optional[str] = ..., answer: _Optional[str] = ..., priority: _Optional[str] = ..., audience: _Optional[str] = ..., variants: _Optional[_Iterable[str]] = ...) -> None: ...

class GetHintsRequest(_message.Message):
    __slots__ = ("query", "limit", "category", "messages")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    query: str
    limit: int
    category: str
    messages: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, query: _Optional[str] = ..., limit: _Optional[int] = ..., category: _Optional[str] = ..., messages: _Optional[_Iterable[str]] = ...) -> None: ...

class GetHintsResponse(_message.Message):
    __slots__ = ("hints", "no_good_hint", "intent")
    HINTS_FIELD_NUMBER: _ClassVar[int]
    NO_GOOD_HINT_FIELD_NUMBER: _ClassVar[int]
    INTENT_FIELD_NUMBER: _ClassVar[int]
    hints: _containers.RepeatedCompositeFieldContainer[Hint]
    no_good_hint: bool
    intent: str
    def __init__(self, hints: _Optional[_Iterable[_Union[Hint, _Mapping]]] = ..., no_good_hint: _Optional[bool] = ..., intent: _Optional[str] = ...) -> None: ...

class ClassifyTextRequest(_message.Message):
    __slots__ = ("text",)
    TEXT_FIELD_NUMBER: _ClassVar[int]
    text: str
    def __init__(self, text: _Optional[str] = ...) -> None: ...

class ClassifyTextResponse(_message.Message):
    __slots__ = ("category", "subcategory", "confidence")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SUBCATEGORY_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    category: str
    subcategory: str
    confidence: float
    def __init__(self, category: _Optional[str] = ..., subcategory: _Optional[str] = ..., confidence: _Optional[float] = ...) -> None: ...

class ClassifyTextsRequest(_message.Message):
    __slots__ = ("texts",)
    TEXTS_FIELD_NUMBER: _ClassVar[int]
    texts: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, texts: _Optional[_Iterable[str]] = ...) -> None: ...

class ClassifyTextsResponse(_message.Message):
    __slots__ = ("classifications",)
    CLASSIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    classifications: _containers.RepeatedCompositeFieldContainer[TextClassification]
    def __init__(self, classifications: _Optional[_Iterable[_Union[TextClassification, _Mapping]]] = ...) -> None: ...

class TextClassification(_message.Message):
    __slots__ = ("category", "subcategory", "confidence")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SUBCATEGORY_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    category: str
    subcategory: str
    confidence: float
    def __init__(self, category: _Optional[str] = ..., subcategory: _Optional[str] = ..., confidence: _Optional[float] = ...) -> None: ...

class ListEntriesRequest(_message.Message):
    __slots__ = ("page_token", "page_size", "category", "subcategory", "query")
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SUBCATEGORY_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    page_token: str
    page_size: int
    category: str
    subcategory: str
    query: str
    def __init__(self, page_token: _Optional[str] = ..., page_size: _Optional[int] = ..., category: _Optional[str] = ..., subcategory: _Optional[str] = ..., query: _Optional[str] = ...) -> None: ...

class ListEntriesResponse(_message.Message):
    __slots__ = ("entries", "next_page_token", "total_size")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[KnowledgeEntry]
    next_page_token: str
    total_size: int
    def __init__(self, entries: _Optional[_Iterable[_Union[KnowledgeEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class ListFacetsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListFacetsResponse(_message.Message):
    __slots__ = ("categories", "priorities", "audiences")
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    PRIORITIES_FIELD_NUMBER: _ClassVar[int]
    AUDIENCES_FIELD_NUMBER: _ClassVar[int]
    categories: _containers.RepeatedCompositeFieldContainer[CategoryFacet]
    priorities: _containers.RepeatedScalarFieldContainer[str]
    audiences: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, categories: _Optional[_Iterable[_Union[CategoryFacet, _Mapping]]] = ..., priorities: _Optional[_Iterable[str]] = ..., audiences: _Optional[_Iterable[str]] = ...) -> None: ...

class CategoryFacet(_message.Message):
    __slots__ = ("name", "subcategories")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SUBCATEGORIES_FIELD_NUMBER: _ClassVar[int]
    name: str
    subcategories: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., subcategories: _Optional[_Iterable[str]] = ...) -> None: ...

class UpsertEntryRequest(_message.Message):
    __slots__ = ("entry",)
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    entry: KnowledgeEntry
    def __init__(self, entry: _Optional[_Union[KnowledgeEntry, _Mapping]] = ...) -> None: ...

class UpsertEntryResponse(_message.Message):
    __slots__ = ("entry",)
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    entry: KnowledgeEntry
    def __init__(self, entry: _Optional[_Union[KnowledgeEntry, _Mapping]] = ...) -> None: ...

class DeleteEntryRequest(_message.Message):
    __slots__ = ("entry_id",)
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    def __init__(self, entry_id: _Optional[str] = ...) -> None: ...

class DeleteEntryResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ReindexKnowledgeBaseRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ReindexKnowledgeBaseResponse(_message.Message):
    __slots__ = ("embedded", "removed", "total")
    EMBEDDED_FIELD_NUMBER: _ClassVar[int]
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    embedded: int
    removed: int
    total: int
    def __init__(self, embedded: _Optional[int] = ..., removed: _Optional[int] = ..., total: _Optional[int] = ...) -> None: ...

class ComposeReplyRequest(_message.Message):
    __slots__ = ("query", "hints_limit", "category", "language", "customer_name")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    HINTS_LIMIT_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_NAME_FIELD_NUMBER: _ClassVar[int]
    query: str
    hints_limit: int
    category: str
    language: str
    customer_name: str
    def __init__(self, query: _Optional[str] = ..., hints_limit: _Optional[int] = ..., category: _Optional[str] = ..., language: _Optional[str] = ..., customer_name: _Optional[str] = ...) -> None: ...

class ComposeReplyResponse(_message.Message):
    __slots__ = ("text", "source", "model", "hints", "fallback_reason")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    HINTS_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_REASON_FIELD_NUMBER: _ClassVar[int]
    text: str
    source: ReplySource
    model: str
    hints: _containers.RepeatedCompositeFieldContainer[Hint]
    fallback_reason: str
    def __init__(self, text: _Optional[str] = ..., source: _Optional[_Union[ReplySource, str]] = ..., model: _Optional[str] = ..., hints: _Optional[_Iterable[_Union[Hint, _Mapping]]] = ..., fallback_reason: _Optional[str] = ...) -> None: ...
