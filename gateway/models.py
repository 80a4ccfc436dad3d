"""Request and response bodies of the REST API (XCreate / XUpdate in, XPublic out)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from t1lib.views import MessagePublic, TicketPublic

RoleName = Literal["operator", "admin"]
PriorityName = Literal["low", "normal", "high", "urgent"]
ReplySourceName = Literal["llm", "template", "none"]


def check_unicode(value: object) -> None:
    """Raise ValueError on text that is not valid Unicode: a lone UTF-16 surrogate, which a JSON `\\u`
    escape can spell, cannot be encoded for protobuf, MongoDB or Redis."""
    if isinstance(value, str):
        try:
            value.encode()
        except UnicodeEncodeError as error:
            raise ValueError(
                f"text is not valid Unicode: a lone surrogate at character {error.start}"
            ) from None
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            check_unicode(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_unicode(key)
            check_unicode(item)


class RequestBody(BaseModel):
    """The base of every request body: each field's text, in lists too, must be valid Unicode (422).
    Checked before the field's type: pydantic rejects a lone surrogate only in constrained strings."""

    @field_validator("*", mode="before")
    @classmethod
    def _valid_unicode(cls, value: object) -> object:
        check_unicode(value)
        return value


class LoginCreate(RequestBody):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class RefreshCreate(RequestBody):
    refresh_token: str = Field(min_length=1)


class TokenPublic(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int


class OperatorCreate(RequestBody):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    password: str = Field(min_length=8, max_length=256)
    display_name: str = Field(default="", max_length=128)
    role: RoleName = "operator"


class OperatorUpdate(RequestBody):
    display_name: str | None = Field(default=None, max_length=128)
    password: str | None = Field(default=None, min_length=8, max_length=256)
    role: RoleName | None = None
    active: bool | None = None


class OperatorPublic(BaseModel):
    id: str
    username: str
    display_name: str
    role: RoleName
    active: bool
    created_at: datetime


class MessagesPage(BaseModel):
    items: list[MessagePublic]
    next_cursor: str | None


class MessageCreate(RequestBody):
    text: str = Field(min_length=1, max_length=4096)
    client_message_id: str | None = Field(default=None, max_length=128)


class MessageForm(RequestBody):
    """The text fields of a reply sent as multipart/form-data with a file."""

    text: str = Field(default="", max_length=1024, description="caption")
    client_message_id: str | None = Field(default=None, max_length=128)
    file_name: str


class NoteCreate(RequestBody):
    text: str = Field(min_length=1, max_length=4096)


class TicketAssign(RequestBody):
    operator_id: str = Field(min_length=1)


class HintPublic(BaseModel):
    entry_id: str
    answer: str
    question: str
    category: str
    subcategory: str
    score: float = Field(description="relevance, comparable only within one response")
    probability: float = Field(
        default=0.0, description="calibrated probability (0..1) that the entry answers the customer"
    )


class HintsPublic(BaseModel):
    items: list[HintPublic]
    query: str = Field(description="the text searched (the same as intent)")
    intent: str = Field(
        default="", description="the conversation's intent: unchanged intent, unchanged hints"
    )
    no_good_hint: bool = Field(default=False, description="no hint is likely enough to answer the customer")


class ReplyDraftCreate(RequestBody):
    category: str | None = Field(default=None, max_length=200)
    language: str | None = Field(default=None, max_length=16, description="BCP 47, e.g. ru or en")
    hints: int = Field(default=3, ge=1, le=5, description="how many hints the reply may draw on")


class ReplyDraftPublic(BaseModel):
    text: str
    source: ReplySourceName
    model: str
    fallback_reason: str
    hints: list[HintPublic]
    query: str


class KnowledgeEntryCreate(RequestBody):
    category: str = Field(min_length=1, max_length=200)
    subcategory: str = Field(default="", max_length=200)
    question: str = Field(min_length=3, max_length=2000)
    answer: str = Field(min_length=1, max_length=8000)
    priority: str = Field(default="", max_length=50)
    audience: str = Field(default="", max_length=200)
    variants: list[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list, max_length=50, description="other ways customers ask the question"
    )


class KnowledgeEntryPublic(KnowledgeEntryCreate):
    id: str


class CategoryPublic(BaseModel):
    name: str
    subcategories: list[str]


class KnowledgeEntriesPage(BaseModel):
    items: list[KnowledgeEntryPublic]
    next_cursor: str | None
    total: int = Field(description="entries matching the filters and the query, over all pages")


class KnowledgeFacetsPublic(BaseModel):
    priorities: list[str]
    audiences: list[str]


class TemplateCreate(RequestBody):
    """A canned reply. The text may hold variables the console fills in when an operator inserts it:
    {имя} / {name} (the customer's first name), {оператор} / {operator} (the operator's name), {тикет} /
    {ticket} (the ticket's short reference); any other {…} is left as written."""

    title: str = Field(min_length=1, max_length=100)
    text: str = Field(min_length=1, max_length=4096)
    category: str = Field(default="", max_length=200, description="a knowledge-base category, or empty")

    @field_validator("title", "text", "category")
    @classmethod
    def _trimmed(cls, value: str, info: ValidationInfo) -> str:
        trimmed = value.strip()
        if not trimmed and info.field_name != "category":
            raise ValueError("must not be blank")
        return trimmed


class TemplatePublic(BaseModel):
    id: str
    title: str
    text: str
    category: str
    created_at: datetime
    updated_at: datetime
    updated_by: str = Field(description="the admin who wrote this version")


class TicketUpdate(RequestBody):
    tags: list[str] | None = Field(default=None, max_length=50)
    priority: PriorityName | None = None
    category: str | None = Field(default=None, max_length=200)
    subcategory: str | None = Field(default=None, max_length=200)


class SearchHitPublic(BaseModel):
    ticket: TicketPublic
    snippet: str = Field(description="the matching fragment, plain text")
    highlights: list[tuple[int, int]] = Field(
        description="matched words in the snippet: [start, end) in Unicode code points"
    )
    matched_field: str = Field(description='"title", "customer", "message", "ocr" or "tags"')
    message_id: str | None = Field(description="the matching message, when the match is in a message")
    score: float


class SearchPage(BaseModel):
    items: list[SearchHitPublic]
    next_cursor: str | None


class RatingPublic(BaseModel):
    score: int
    comment: str
    rated_at: datetime


class TicketDetailPublic(TicketPublic):
    """A ticket with the customer's rating (null when not rated, or when stats did not answer in time) and
    whether the customer wrote since the caller last read it (their read marker)."""

    rating: RatingPublic | None = None
    unread: bool = False


class HistoryTicketPublic(BaseModel):
    """One of the customer's other tickets, as the console's «Обращения клиента» lists it."""

    id: str
    title: str
    status: str
    created_at: datetime | None
    closed_at: datetime | None
    category: str
    rating: RatingPublic | None = Field(
        description="null when not rated, or when stats did not answer in time"
    )


class CustomerHistoryPublic(BaseModel):
    items: list[HistoryTicketPublic] = Field(
        description="the customer's other tickets, latest activity first"
    )
    has_more: bool = Field(description="the customer has more tickets than listed")


TimelineKindName = Literal["opened", "taken", "assigned", "replied", "closed", "rated"]


class TimelineEventPublic(BaseModel):
    kind: TimelineKindName
    at: datetime
    actor: str | None = Field(description="operator who did it (null: the customer, or not known)")
    target: str | None = Field(description="operator it was assigned to (assigned)")
    count: int = Field(description="replies this entry stands for (replied), else 1")
    last_at: datetime | None = Field(description="the last of the folded replies (replied)")
    score: int | None = Field(default=None, description="1-5 (rated)")
    comment: str | None = Field(default=None, description="the customer's comment (rated)")


class TimelinePublic(BaseModel):
    items: list[TimelineEventPublic] = Field(description="oldest first")


class TicketsPage(BaseModel):
    items: list[TicketDetailPublic]
    next_cursor: str | None


class TicketCountsPublic(BaseModel):
    """How many tickets the console's lists hold, for the caller."""

    queue: int = Field(description="open tickets nobody holds")
    queue_waiting: int = Field(description="of the queue, those whose customer waits for an answer")
    mine: int = Field(description="tickets assigned to the caller and not closed")
    mine_waiting: int = Field(description="of those, the ones whose customer waits for an answer")
    all_active: int | None = Field(description="every ticket not closed (admins only; null for operators)")


class ConsoleSettingsPublic(BaseModel):
    """Settings of the desk the console needs."""

    sla_warning_s: int = Field(description="a customer waiting this many seconds is shown as a warning")
    sla_breach_s: int = Field(description="a customer waiting this many seconds is shown as an SLA breach")
    trace_ui_url: str | None = Field(
        default=None, description="admins only: the trace backend's UI, where a message's trace opens"
    )


class StatsSummaryPublic(BaseModel):
    """Figures of the days asked for (in `time_zone`); null where there is no data."""

    time_zone: str
    tickets_created: int
    tickets_closed: int
    backlog: int
    ratings_count: int
    csat_average: float | None
    csat_distribution: dict[str, int]
    rating_response_rate: float | None
    first_response_p50_s: float | None
    first_response_p90_s: float | None
    resolution_p50_s: float | None
    resolution_p90_s: float | None
    messages_per_ticket: float | None


class OperatorStatsPublic(StatsSummaryPublic):
    operator_id: str
    name: str


class OperatorStatsPage(BaseModel):
    time_zone: str
    items: list[OperatorStatsPublic]


class CategoryStatsPublic(StatsSummaryPublic):
    category: str = Field(description='"" for the tickets without a category')


class CategoryStatsPage(BaseModel):
    time_zone: str
    items: list[CategoryStatsPublic]


class DailyStatsPublic(StatsSummaryPublic):
    day: str = Field(description="YYYY-MM-DD; backlog is the number of tickets open at this day's end")


class DailyStatsPage(BaseModel):
    time_zone: str
    items: list[DailyStatsPublic]


StatsMetricName = Literal[
    "tickets_created",
    "tickets_closed",
    "backlog",
    "ratings_count",
    "csat_average",
    "rating_response_rate",
    "first_response_p50_s",
    "first_response_p90_s",
    "resolution_p50_s",
    "resolution_p90_s",
    "messages_per_ticket",
]


class TimeseriesPointPublic(BaseModel):
    day: str
    value: float | None


class TimeseriesPublic(BaseModel):
    time_zone: str
    metric: StatsMetricName
    points: list[TimeseriesPointPublic]


class LivenessPublic(BaseModel):
    status: Literal["ok", "stalled"]


class CheckPublic(BaseModel):
    ok: bool
    required: bool = Field(description="a failing required check makes the gateway unready (503)")
    latency_ms: float
    error: str | None = None


class ReadinessPublic(BaseModel):
    status: Literal["ok", "degraded", "failing", "starting", "stopping"] = Field(
        description="ok; degraded: an optional dependency fails (200); otherwise 503"
    )
    checks: dict[str, CheckPublic]
