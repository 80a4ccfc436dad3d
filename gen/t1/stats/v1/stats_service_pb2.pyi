import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

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
