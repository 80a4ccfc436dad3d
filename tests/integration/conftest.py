"""Kafka fixtures (bootstrap, registry, producer) live in tests/conftest.py."""
