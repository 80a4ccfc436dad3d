"""summarizer: titles new tickets (chat_title_request → chat_title_generated) with an LLM or offline, and
tags them with the knowledge-base category from ml's HintsService.ClassifyText."""
