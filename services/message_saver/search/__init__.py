"""Full-text search of ticket history (tantivy on local disk), fed by websocket_notifications."""

from services.message_saver.search.hits import SearchHit
from services.message_saver.search.index import RebuildReport, SearchIndex, SearchIndexBusyError
from services.message_saver.search.store import rebuild_from_store

__all__ = ["RebuildReport", "SearchHit", "SearchIndex", "SearchIndexBusyError", "rebuild_from_store"]
