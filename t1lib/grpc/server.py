"""Server bootstrap: every service gets health, reflection, the service-token check (t1lib.grpc.auth) and
the error-mapping interceptor."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeAlias, cast

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection
from pydantic import SecretStr

from t1lib.errors import DomainError
from t1lib.grpc.auth import ServiceTokenInterceptor
from t1lib.grpc.errors import status_for
from t1lib.health import Readiness, Report
from t1lib.telemetry import GRPC_REQUESTS, GRPC_SECONDS
from t1lib.tracing import grpc_server_interceptors

logger = logging.getLogger(__name__)

# The grpc stubs make these generic; at run time they are plain classes, hence the string aliases.
Context: TypeAlias = "grpc.aio.ServicerContext[Any, Any]"
Handler: TypeAlias = "grpc.RpcMethodHandler[Any, Any]"


class ErrorMappingInterceptor(grpc.aio.ServerInterceptor):
    """Turns domain errors into status codes and unexpected errors into INTERNAL without leaking details."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Handler | None]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Handler | None:
        handler = await continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        method = str(handler_call_details.method)
        behavior = cast("Callable[[Any, Context], Awaitable[Any]]", handler.unary_unary)

        async def guarded(request: Any, context: Context) -> Any:
            started = time.perf_counter()
            code = grpc.StatusCode.OK
            try:
                return await behavior(request, context)
            except DomainError as error:
                code = status_for(error)
                await context.abort(code, str(error) or type(error).__name__)
            except grpc.aio.AbortError:
                code = context.code() or grpc.StatusCode.UNKNOWN
                raise
            except Exception:
                code = grpc.StatusCode.INTERNAL
                logger.exception("unhandled error in %s", method)
                await context.abort(code, "internal error")
            finally:
                GRPC_REQUESTS.labels(method, code.name).inc()
                GRPC_SECONDS.labels(method).observe(time.perf_counter() - started)

        return grpc.unary_unary_rpc_method_handler(
            guarded,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


async def start_server(
    address: str,
    register: Callable[[grpc.aio.Server], None],
    service_names: Iterable[str],
    *,
    token: SecretStr,
    readiness: Readiness | None = None,
    interceptors: Iterable[grpc.aio.ServerInterceptor] = (),
) -> tuple[grpc.aio.Server, int]:
    """Start a grpc.aio server on `address` ("host:port"; port 0 picks one) and return it and its port.

    `register` adds the service's servicers; `service_names` are their full names, reported as SERVING
    by the health service and listed by reflection. Every call but health checks must carry `token`.
    With `readiness`, the health service follows it: NOT_SERVING while a required dependency fails.
    `interceptors` run after the token check and inside the error mapping (t1lib.grpc.forwarding).
    """
    server = grpc.aio.server(
        interceptors=[
            *grpc_server_interceptors(),
            ServiceTokenInterceptor(token),
            ErrorMappingInterceptor(),
            *interceptors,
        ]
    )
    register(server)
    health = HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health, server)
    names = list(service_names)
    reflection.enable_server_reflection(
        [*names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME], server
    )
    port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot bind gRPC server to {address}")
    await server.start()
    for name in ["", *names]:
        await health.set(name, health_pb2.HealthCheckResponse.SERVING)
    if readiness is not None:
        readiness.on_report(lambda report: _follow(health, ["", *names], report))
    host = address.rsplit(":", 1)[0]
    logger.info("gRPC server listening on %s:%d", host, port)
    return server, port


async def _follow(health: HealthServicer, names: list[str], report: Report) -> None:
    serving = health_pb2.HealthCheckResponse.SERVING
    status = serving if report.ready else health_pb2.HealthCheckResponse.NOT_SERVING
    for name in names:
        await health.set(name, status)
