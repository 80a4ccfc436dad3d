"""The user's words as a tantivy query (built here, never parsed: no input is a syntax error), the
visibility filter, and the paging cursor."""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass

import tantivy

from services.message_saver.domain import Status
from services.message_saver.search import schema as f
from t1lib.errors import InvalidArgumentError

# Where a word counts most: a ticket's title, then its tags and customer, then what was written.
FIELD_BOOSTS = ((f.TITLE, 2.0), (f.TAGS, 1.5), (f.CUSTOMER, 1.5), (f.TEXT, 1.0), (f.OCR, 0.8))
MAX_TERMS = 16
# A word matching in several fields of one document counts once, plus a little for the others.
TIE_BREAKER = 0.1
# Documents read per page at first: a ticket usually matches in several messages.
WINDOW_PER_HIT = 8
# Deeper than this many matching documents, pages end (hundreds of tickets in).
MAX_WINDOW = 20_000
MAX_U64 = 2**64 - 1


def required_terms(count: int) -> int:
    """Up to three words must all match; of longer queries, three in four (a pasted sentence still
    finds the conversation it came from)."""
    return count if count <= 3 else count - count // 4


def words_query(schema: tantivy.Schema, terms: list[str]) -> tantivy.Query:
    per_term = [
        tantivy.Query.disjunction_max_query(
            [
                tantivy.Query.boost_query(tantivy.Query.term_query(schema, name, term, "freq"), boost)
                for name, boost in FIELD_BOOSTS
            ],
            tie_breaker=TIE_BREAKER,
        )
        for term in terms
    ]
    if len(per_term) == 1:
        return per_term[0]
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Should, query) for query in per_term],
        minimum_number_should_match=required_terms(len(per_term)),
    )


def filter_query(schema: tantivy.Schema, status: str | None, operator_id: str) -> tantivy.Query | None:
    """The status filter and the visibility rule of domain.visible_to, as a query that does not score."""
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
    if status:
        clauses.append((tantivy.Occur.Must, tantivy.Query.term_query(schema, f.STATUS, status)))
    if operator_id:
        visible = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, tantivy.Query.term_query(schema, f.STATUS, str(Status.OPEN))),
                (tantivy.Occur.Should, tantivy.Query.term_query(schema, f.ASSIGNEE, operator_id)),
            ]
        )
        clauses.append((tantivy.Occur.Must, visible))
    if not clauses:
        return None
    return tantivy.Query.const_score_query(tantivy.Query.boolean_query(clauses), 0.0)


def search_query(words: tantivy.Query, only: tantivy.Query | None) -> tantivy.Query:
    if only is None:
        return words
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, words), (tantivy.Occur.Must, only)])


def query_terms(analyzer: tantivy.TextAnalyzer, text: str) -> list[str]:
    """The query's words as index terms, each once, in their order."""
    return list(dict.fromkeys(analyzer.analyze(text)))[:MAX_TERMS]


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: the last ticket's score and key in the index snapshot (`generation`) the
    pages are read from, and how many documents had to be read to get there."""

    generation: int
    score: float
    key: int
    window: int

    def encode(self) -> str:
        raw = json.dumps([self.generation, self.score, self.key, self.window], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            generation, score, key, window = json.loads(raw)
        except (binascii.Error, ValueError, TypeError) as error:
            raise InvalidArgumentError("некорректный page_token") from error
        numbers = (generation, key, window)
        if not all(isinstance(value, int) and not isinstance(value, bool) for value in numbers) or not (
            isinstance(score, int | float) and not isinstance(score, bool)
        ):
            raise InvalidArgumentError("некорректный page_token")
        # A crafted token must not make the index read (or allocate for) billions of documents.
        if not (0 <= generation <= MAX_U64 and 0 <= key <= MAX_U64 and 0 < window <= MAX_WINDOW):
            raise InvalidArgumentError("некорректный page_token")
        if not math.isfinite(score):
            raise InvalidArgumentError("некорректный page_token")
        return cls(generation, float(score), key, window)
