"""Kafka on confluent-kafka: a typed topic registry, a producer and an at-least-once consumer with DLQ."""

from t1lib.kafka.consumer import EventConsumer, EventContext
from t1lib.kafka.producer import EventProducer
from t1lib.kafka.topics import REGISTRY, TopicSpec, dlq_topic

__all__ = ["REGISTRY", "EventConsumer", "EventContext", "EventProducer", "TopicSpec", "dlq_topic"]
