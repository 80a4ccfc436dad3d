"""gRPC on grpc.aio: server bootstrap (health, reflection, error mapping) and deadline-bound clients."""
