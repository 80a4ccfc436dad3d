"""A fake OpenAI-compatible LLM server: POST /v1/chat/completions and GET /v1/models with OpenAI's shapes
and errors, deterministic default answers, and a control API under /fake/ to script replies, inject faults
(429 + Retry-After, 5xx, delays, malformed bodies, dropped connections) and read the request log.

    python -m fakes.llm --host 127.0.0.1 --port 8082

In tests:

    async with FakeLlm() as fake:
        settings = LlmSettings(llm_base_url=fake.base_url, llm_api_key=fake.api_key)
        fake.script("Не проходит оплата картой")
"""

from fakes.llm.server import FakeLlm
from fakes.llm.state import DEFAULT_API_KEY, DEFAULT_MODELS, Fault, LlmState, LoggedRequest, Rule

__all__ = ["DEFAULT_API_KEY", "DEFAULT_MODELS", "FakeLlm", "Fault", "LlmState", "LoggedRequest", "Rule"]
