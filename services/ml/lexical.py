"""BM25 over Snowball stems: the lexical ranker fused with the dense scores.

An entry's document is its subcategory (twice: it names the product, which short questions such as
"Какая минимальная сумма?" rely on), its question, its answer and its variants (customers'
words). Built in memory from the catalogue; rebuilding for a few thousand entries takes milliseconds."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

from services.ml.kb import Entry
from services.ml.text import tokens


def entry_tokens(entry: Entry) -> list[str]:
    return (
        tokens(entry.subcategory) * 2
        + tokens(entry.question)
        + tokens(entry.answer)
        + tokens(" ".join(entry.variants))
    )


class BM25:
    def __init__(self, documents: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self.size = len(documents)
        lengths = [len(document) for document in documents]
        average = (sum(lengths) / len(lengths)) if lengths else 1.0
        frequencies: Counter[str] = Counter()
        # term -> [(document index, term weight without idf)]
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for index, document in enumerate(documents):
            counts = Counter(document)
            frequencies.update(counts.keys())
            norm = k1 * (1 - b + b * lengths[index] / (average or 1.0))
            for term, count in counts.items():
                self._postings[term].append((index, count * (k1 + 1) / (count + norm)))
        self.idf = {
            term: math.log(1 + (self.size - df + 0.5) / (df + 0.5)) for term, df in frequencies.items()
        }

    def scores(self, query_tokens: Sequence[str]) -> dict[int, float]:
        """Document index -> BM25 score, for the documents sharing a term with the query."""
        scores: dict[int, float] = defaultdict(float)
        for term in set(query_tokens):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for index, weight in self._postings[term]:
                scores[index] += idf * weight
        return dict(scores)

    def weight(self, text: str) -> float:
        """How much a text says in the knowledge base's terms: the summed IDF of its known words."""
        return sum(self.idf.get(term, 0.0) for term in set(tokens(text)))
