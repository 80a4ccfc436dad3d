"""Shared code of every T1 Support service: settings, logging, Kafka, gRPC, stores, telemetry."""
