"""Domain errors. Raised by domain code; mapped to gRPC status codes in one interceptor
(t1lib.grpc.server) and from gRPC codes to HTTP in one place in the gateway."""


class DomainError(Exception):
    """Base of errors that carry a meaning the caller can act on."""


class NotFoundError(DomainError):
    """The named thing does not exist."""


class AlreadyExistsError(DomainError):
    """The thing to create exists already."""


class ConflictError(DomainError):
    """The state changed under the caller (e.g. someone else took the ticket)."""


class InvalidArgumentError(DomainError):
    """The request is malformed or breaks a rule; retrying it unchanged will fail again."""


class PermissionDeniedError(DomainError):
    """The caller may not do this."""


class UnavailableError(DomainError):
    """A dependency is down; retrying later may succeed."""


class PermanentEventError(DomainError):
    """An event can never be handled (bad content); the consumer sends it to the dead-letter topic."""
