"""message_saver: the single owner of tickets and messages (gRPC TicketService + Kafka intake)."""
