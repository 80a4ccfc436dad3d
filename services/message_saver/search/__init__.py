"""Full-text search of ticket history (tantivy on local disk), fed by websocket_notifications."""

from services.message_saver.search.hits import SearchHit
from services.message_saver.search.index import RebuildReport, SearchIndex

__all__ = ["RebuildReport", "SearchHit", "SearchIndex"]
