import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Scope(_message.Message):
    __slots__ = ("first_day", "last_day", "operator_id", "category")
    FIRST_DAY_FIELD_NUMBER: _ClassVar[int]
    LAST_DAY_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    first_day: str
    last_day: str
    operator_id: str
    category: str
    def __init__(self, first_day: _Optional[str] = ..., last_day: _Optional[str] = ..., operator_id: _Optional[str] = ..., category: _Optional[str] = ...) -> None: ...

class Figures(_message.Message):
    __slots__ = ("tickets_created", "tickets_closed", "backlog", "ratings_count", "csat_average", "csat_distribution", "rating_response_rate", "first_response_p50_seconds", "first_response_p90_seconds", "resolution_p50_seconds", "resolution_p90_seconds", "messages_per_ticket")
    TICKETS_CREATED_FIELD_NUMBER: _ClassVar[int]
    TICKETS_CLOSED_FIELD_NUMBER: _ClassVar[int]
    BACKLOG_FIELD_NUMBER: _ClassVar[int]
    RATINGS_COUNT_FIELD_NUMBER: _ClassVar[int]
    CSAT_AVERAGE_FIELD_NUMBER: _ClassVar[int]
    CSAT_DISTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    RATING_RESPONSE_RATE_FIELD_NUMBER: _ClassVar[int]
    FIRST_RESPONSE_P50_SECONDS_FIELD_NUMBER: _ClassVar[int]
    FIRST_RESPONSE_P90_SECONDS_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_P50_SECONDS_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_P90_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_PER_TICKET_FIELD_NUMBER: _ClassVar[int]
    tickets_created: int
    tickets_closed: int
    backlog: int
    ratings_count: int
    csat_average: float
    csat_distribution: _containers.RepeatedScalarFieldContainer[int]
    rating_response_rate: float
    first_response_p50_seconds: float
    first_response_p90_seconds: float
    resolution_p50_seconds: float
    resolution_p90_seconds: float
    messages_per_ticket: float
    def __init__(self, tickets_created: _Optional[int] = ..., tickets_closed: _Optional[int] = ..., backlog: _Optional[int] = ..., ratings_count: _Optional[int] = ..., csat_average: _Optional[float] = ..., csat_distribution: _Optional[_Iterable[int]] = ..., rating_response_rate: _Optional[float] = ..., first_response_p50_seconds: _Optional[float] = ..., first_response_p90_seconds: _Optional[float] = ..., resolution_p50_seconds: _Optional[float] = ..., resolution_p90_seconds: _Optional[float] = ..., messages_per_ticket: _Optional[float] = ...) -> None: ...

class GetSummaryRequest(_message.Message):
    __slots__ = ("scope",)
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    scope: Scope
    def __init__(self, scope: _Optional[_Union[Scope, _Mapping]] = ...) -> None: ...

class GetSummaryResponse(_message.Message):
    __slots__ = ("figures", "time_zone")
    FIGURES_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    figures: Figures
    time_zone: str
    def __init__(self, figures: _Optional[_Union[Figures, _Mapping]] = ..., time_zone: _Optional[str] = ...) -> None: ...

class ListOperatorSummariesRequest(_message.Message):
    __slots__ = ("scope",)
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    scope: Scope
    def __init__(self, scope: _Optional[_Union[Scope, _Mapping]] = ...) -> None: ...

class OperatorFigures(_message.Message):
    __slots__ = ("operator_id", "figures")
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    FIGURES_FIELD_NUMBER: _ClassVar[int]
    operator_id: str
    figures: Figures
    def __init__(self, operator_id: _Optional[str] = ..., figures: _Optional[_Union[Figures, _Mapping]] = ...) -> None: ...

class ListOperatorSummariesResponse(_message.Message):
    __slots__ = ("operators", "time_zone")
    OPERATORS_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    operators: _containers.RepeatedCompositeFieldContainer[OperatorFigures]
    time_zone: str
    def __init__(self, operators: _Optional[_Iterable[_Union[OperatorFigures, _Mapping]]] = ..., time_zone: _Optional[str] = ...) -> None: ...

class ListCategorySummariesRequest(_message.Message):
    __slots__ = ("scope",)
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    scope: Scope
    def __init__(self, scope: _Optional[_Union[Scope, _Mapping]] = ...) -> None: ...

class CategoryFigures(_message.Message):
    __slots__ = ("category", "figures")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    FIGURES_FIELD_NUMBER: _ClassVar[int]
    category: str
    figures: Figures
    def __init__(self, category: _Optional[str] = ..., figures: _Optional[_Union[Figures, _Mapping]] = ...) -> None: ...

class ListCategorySummariesResponse(_message.Message):
    __slots__ = ("categories", "time_zone")
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    categories: _containers.RepeatedCompositeFieldContainer[CategoryFigures]
    time_zone: str
    def __init__(self, categories: _Optional[_Iterable[_Union[CategoryFigures, _Mapping]]] = ..., time_zone: _Optional[str] = ...) -> None: ...

class GetDailySeriesRequest(_message.Message):
    __slots__ = ("scope",)
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    scope: Scope
    def __init__(self, scope: _Optional[_Union[Scope, _Mapping]] = ...) -> None: ...

class DailyFigures(_message.Message):
    __slots__ = ("day", "figures")
    DAY_FIELD_NUMBER: _ClassVar[int]
    FIGURES_FIELD_NUMBER: _ClassVar[int]
    day: str
    figures: Figures
    def __init__(self, day: _Optional[str] = ..., figures: _Optional[_Union[Figures, _Mapping]] = ...) -> None: ...

class GetDailySeriesResponse(_message.Message):
    __slots__ = ("days", "time_zone")
    DAYS_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    days: _containers.RepeatedCompositeFieldContainer[DailyFigures]
    time_zone: str
    def __init__(self, days: _Optional[_Iterable[_Union[DailyFigures, _Mapping]]] = ..., time_zone: _Optional[str] = ...) -> None: ...

class GetTicketRatingRequest(_message.Message):
    __slots__ = ("ticket_id",)
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    def __init__(self, ticket_id: _Optional[str] = ...) -> None: ...

class TicketRating(_message.Message):
    __slots__ = ("score", "comment", "rated_at")
    SCORE_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    RATED_AT_FIELD_NUMBER: _ClassVar[int]
    score: int
    comment: str
    rated_at: _timestamp_pb2.Timestamp
    def __init__(self, score: _Optional[int] = ..., comment: _Optional[str] = ..., rated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetTicketRatingResponse(_message.Message):
    __slots__ = ("rating",)
    RATING_FIELD_NUMBER: _ClassVar[int]
    rating: TicketRating
    def __init__(self, rating: _Optional[_Union[TicketRating, _Mapping]] = ...) -> None: ...

class ListTicketRatingsRequest(_message.Message):
    __slots__ = ("ticket_ids",)
    TICKET_IDS_FIELD_NUMBER: _ClassVar[int]
    ticket_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, ticket_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class RatedTicket(_message.Message):
    __slots__ = ("ticket_id", "rating")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    rating: TicketRating
    def __init__(self, ticket_id: _Optional[str] = ..., rating: _Optional[_Union[TicketRating, _Mapping]] = ...) -> None: ...

class ListTicketRatingsResponse(_message.Message):
    __slots__ = ("ratings",)
    RATINGS_FIELD_NUMBER: _ClassVar[int]
    ratings: _containers.RepeatedCompositeFieldContainer[RatedTicket]
    def __init__(self, ratings: _Optional[_Iterable[_Union[RatedTicket, _Mapping]]] = ...) -> None: ...

class OperatorStats(_message.Message):
    __slots__ = ("operator_id", "reviews_count", "average_rating", "rating_histogram")
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    REVIEWS_COUNT_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_RATING_FIELD_NUMBER: _ClassVar[int]
    RATING_HISTOGRAM_FIELD_NUMBER: _ClassVar[int]
    operator_id: str
    reviews_count: int
    average_rating: float
    rating_histogram: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, operator_id: _Optional[str] = ..., reviews_count: _Optional[int] = ..., average_rating: _Optional[float] = ..., rating_histogram: _Optional[_Iterable[int]] = ...) -> None: ...

class GetOperatorStatsRequest(_message.Message):
    __slots__ = ("operator_id", "from_time", "to_time")
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_TIME_FIELD_NUMBER: _ClassVar[int]
    TO_TIME_FIELD_NUMBER: _ClassVar[int]
    operator_id: str
    from_time: _timestamp_pb2.Timestamp
    to_time: _timestamp_pb2.Timestamp
    def __init__(self, operator_id: _Optional[str] = ..., from_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., to_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetOperatorStatsResponse(_message.Message):
    __slots__ = ("stats",)
    STATS_FIELD_NUMBER: _ClassVar[int]
    stats: OperatorStats
    def __init__(self, stats: _Optional[_Union[OperatorStats, _Mapping]] = ...) -> None: ...

class ListOperatorStatsRequest(_message.Message):
    __slots__ = ("from_time", "to_time")
    FROM_TIME_FIELD_NUMBER: _ClassVar[int]
    TO_TIME_FIELD_NUMBER: _ClassVar[int]
    from_time: _timestamp_pb2.Timestamp
    to_time: _timestamp_pb2.Timestamp
    def __init__(self, from_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., to_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListOperatorStatsResponse(_message.Message):
    __slots__ = ("stats",)
    STATS_FIELD_NUMBER: _ClassVar[int]
    stats: _containers.RepeatedCompositeFieldContainer[OperatorStats]
    def __init__(self, stats: _Optional[_Iterable[_Union[OperatorStats, _Mapping]]] = ...) -> None: ...
