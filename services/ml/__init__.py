"""ml: the knowledge base (MongoDB `kb_entries`), its vectors (Qdrant) and the HintsService gRPC API."""
