"""Categories from ml: HintsService.ClassifyTexts (a poll's texts in one call) with a short deadline.
Never raises and never blocks a title for long: when ml is unreachable, slow or unsure the category is
left empty."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import grpc
from pydantic import SecretStr

from t1.ml.v1 import hints_service_pb2 as hints_pb
from t1.ml.v1 import hints_service_pb2_grpc as hints_grpc
from t1lib.grpc.client import open_channel

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Category:
    category: str = ""
    subcategory: str = ""


NO_CATEGORY = Category()
MAX_TEXTS_PER_CALL = 256  # ml's limit for one ClassifyTexts


class Classifier:
    def __init__(
        self, address: str, *, token: SecretStr, timeout_s: float, min_confidence: float = 0.0
    ) -> None:
        self._address = address.strip()
        self._token = token
        self._timeout_s = timeout_s
        self._min_confidence = min_confidence
        self._channel: grpc.aio.Channel | None = None
        self._stub: hints_grpc.HintsServiceAsyncStub | None = None

    @property
    def enabled(self) -> bool:
        return bool(self._address)

    async def classify(self, text: str) -> Category:
        (category,) = await self.classify_many([text])
        return category

    async def classify_many(self, texts: Sequence[str]) -> list[Category]:
        """One category per text, in order, from one ClassifyTexts call (a poll's new tickets)."""
        wanted = [index for index, text in enumerate(texts) if text.strip()]
        categories = [NO_CATEGORY] * len(texts)
        if not self._address or not wanted:
            return categories
        if self._stub is None:
            self._channel = open_channel(self._address, self._token, default_timeout_s=self._timeout_s)
            self._stub = hints_grpc.HintsServiceStub(self._channel)
        for start in range(0, len(wanted), MAX_TEXTS_PER_CALL):
            chunk = wanted[start : start + MAX_TEXTS_PER_CALL]
            answers = await self._call([texts[index] for index in chunk])
            for index, answer in zip(chunk, answers, strict=True):
                categories[index] = answer
        return categories

    async def _call(self, texts: list[str]) -> list[Category]:
        assert self._stub is not None
        try:
            response = await self._stub.ClassifyTexts(
                hints_pb.ClassifyTextsRequest(texts=texts), timeout=self._timeout_s
            )
        except grpc.aio.AioRpcError as error:
            logger.warning(
                "ClassifyTexts failed; leaving %d categories empty: %s %s",
                len(texts),
                error.code().name,
                error.details(),
                extra={"fields": {"ml_address": self._address}},
            )
            return [NO_CATEGORY] * len(texts)
        except Exception:
            logger.exception("ClassifyTexts failed unexpectedly; leaving the categories empty")
            return [NO_CATEGORY] * len(texts)
        if len(response.classifications) != len(texts):
            logger.warning("ClassifyTexts answered %d of %d texts", len(response.classifications), len(texts))
            return [NO_CATEGORY] * len(texts)
        return [
            Category(one.category, one.subcategory)
            if one.category and one.confidence >= self._min_confidence
            else NO_CATEGORY
            for one in response.classifications
        ]

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()
        self._channel = self._stub = None
