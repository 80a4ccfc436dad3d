"""Categories from ml: HintsService.ClassifyText with a short deadline. Never raises and never blocks a
title for long: when ml is unreachable, slow or unsure the category is left empty."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import grpc

from t1.ml.v1 import hints_service_pb2 as hints_pb
from t1.ml.v1 import hints_service_pb2_grpc as hints_grpc
from t1lib.grpc.client import open_channel

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Category:
    category: str = ""
    subcategory: str = ""


NO_CATEGORY = Category()


class Classifier:
    def __init__(self, address: str, *, timeout_s: float, min_confidence: float = 0.0) -> None:
        self._address = address.strip()
        self._timeout_s = timeout_s
        self._min_confidence = min_confidence
        self._channel: grpc.aio.Channel | None = None
        self._stub: hints_grpc.HintsServiceAsyncStub | None = None

    @property
    def enabled(self) -> bool:
        return bool(self._address)

    async def classify(self, text: str) -> Category:
        if not self._address or not text.strip():
            return NO_CATEGORY
        if self._stub is None:
            self._channel = open_channel(self._address, default_timeout_s=self._timeout_s)
            self._stub = hints_grpc.HintsServiceStub(self._channel)
        try:
            response = await self._stub.ClassifyText(
                hints_pb.ClassifyTextRequest(text=text), timeout=self._timeout_s
            )
        except grpc.aio.AioRpcError as error:
            logger.warning(
                "ClassifyText failed; leaving the category empty: %s %s",
                error.code().name,
                error.details(),
                extra={"fields": {"ml_address": self._address}},
            )
            return NO_CATEGORY
        except Exception:
            logger.exception("ClassifyText failed unexpectedly; leaving the category empty")
            return NO_CATEGORY
        if not response.category or response.confidence < self._min_confidence:
            return NO_CATEGORY
        return Category(response.category, response.subcategory)

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()
        self._channel = self._stub = None
