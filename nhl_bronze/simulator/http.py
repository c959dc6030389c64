"""Serve a backend over HTTP: in-process (an httpx transport) or on loopback (a threaded stdlib server).

Both paths go through ``FaultInjector.plan`` so a test over the transport and a test over real sockets see the
same bytes and the same faults. Both the web API (``/v1/...``) and the stats API (``/stats/rest/...``) live on
one base URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx

from nhl_bronze.simulator.core import NhlBackend, SimResponse
from nhl_bronze.simulator.faults import FaultConfig, FaultInjector


class RequestCounter:
    """Thread-safe count of served requests, in total and per path (query included and unquoted)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_path: Counter[str] = Counter()

    def add(self, path_and_query: str) -> None:
        with self._lock:
            self._by_path[path_and_query] += 1

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._by_path.values())

    def by_path(self) -> dict[str, int]:
        with self._lock:
            return dict(self._by_path)

    def matching(self, fragment: str) -> int:
        """Requests whose path+query contains ``fragment`` (e.g. ``"/v1/schedule/"``, ``"shiftcharts"``)."""
        with self._lock:
            return sum(n for key, n in self._by_path.items() if fragment in key)

    def reset(self) -> None:
        with self._lock:
            self._by_path.clear()


# --------------------------------------------------------------------------------------------------------
# In-process transport
# --------------------------------------------------------------------------------------------------------
class SimulatorTransport(httpx.MockTransport):
    """An ``httpx.MockTransport`` over a backend, for sync and async clients.

    Latency and hangs sleep without blocking an event loop (``asyncio.sleep`` in async clients). A hang longer
    than the request's read timeout raises ``httpx.ReadTimeout`` after that timeout, as a real socket would.
    """

    def __init__(self, backend: NhlBackend, faults: FaultConfig | None = None) -> None:
        super().__init__(self._respond_sync)
        self.backend = backend
        self.injector = FaultInjector(faults)
        self.requests = RequestCounter()

    def _plan(self, request: httpx.Request):
        query = dict(parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True))
        self.requests.add(unquote(request.url.raw_path.decode("ascii")))
        return self.injector.plan(self.backend, request.method, request.url.path, query)

    @staticmethod
    def _read_timeout(request: httpx.Request) -> float | None:
        return (request.extensions.get("timeout") or {}).get("read")

    def _hang_or_timeout(self, request: httpx.Request, hang: float) -> float:
        timeout = self._read_timeout(request)
        return hang if timeout is None or hang < timeout else timeout

    def _finish(self, request: httpx.Request, hang: float, response: SimResponse) -> httpx.Response:
        timeout = self._read_timeout(request)
        if hang and timeout is not None and hang >= timeout:
            raise httpx.ReadTimeout("simulated hang past the read timeout", request=request)
        return httpx.Response(response.status, headers=response.headers, content=response.body,
                              request=request)

    def _respond_sync(self, request: httpx.Request) -> httpx.Response:
        plan = self._plan(request)
        time.sleep(plan.delay_seconds + (self._hang_or_timeout(request, plan.hang_seconds)
                                         if plan.hang_seconds else 0.0))
        return self._finish(request, plan.hang_seconds, plan.response)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        plan = self._plan(request)
        wait = plan.delay_seconds + (self._hang_or_timeout(request, plan.hang_seconds)
                                     if plan.hang_seconds else 0.0)
        if wait:
            await asyncio.sleep(wait)
        return self._finish(request, plan.hang_seconds, plan.response)


def simulator_transport(backend: NhlBackend, faults: FaultConfig | None = None) -> SimulatorTransport:
    """An in-process httpx transport serving ``backend`` (with optional faults); use any base URL."""
    return SimulatorTransport(backend, faults)


# --------------------------------------------------------------------------------------------------------
# Loopback HTTP server
# --------------------------------------------------------------------------------------------------------
class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API behind its CDN
    # Headers and body are two writes: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms per keep-alive request.
    disable_nagle_algorithm = True
    timeout = 60  # idle keep-alive connections release their thread eventually
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def _serve(self, send_body: bool = True) -> None:
        split = urlsplit(self.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        self.server.requests.add(unquote(split.path + (f"?{split.query}" if split.query else "")))
        plan = self.server.injector.plan(self.server.backend, self.command, split.path, query)
        if plan.delay_seconds or plan.hang_seconds:
            time.sleep(plan.delay_seconds + plan.hang_seconds)
        response = plan.response
        try:
            self.send_response(response.status)
            for name, value in response.headers.items():
                if name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if send_body:
                self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (e.g. timed out during a simulated hang): nothing left to answer.
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per request would drown test output


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], backend: NhlBackend, injector: FaultInjector,
                 requests: RequestCounter) -> None:
        self.backend = backend
        self.injector = injector
        self.requests = requests
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request, client_address) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Drop open keep-alive connections: a stopped server must not keep answering on them."""
        with self._connections_lock:
            connections, self._connections = list(self._connections), set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class SimulatorServer:
    """A real HTTP server on loopback serving ``backend``; use as a context manager.

    >>> with SimulatorServer(RecordedNhl(folder)) as server:
    ...     httpx.get(f"{server.web_api_url}/schedule/2024-10-09")
    """

    def __init__(self, backend: NhlBackend, faults: FaultConfig | None = None,
                 host: str = "127.0.0.1", port: int = 0) -> None:
        self.backend = backend
        self.faults = faults
        self._address = (host, port)
        self.requests = RequestCounter()  # per-path counts of the requests served (thread-safe)
        self._bound: tuple[str, int] | None = None  # kept after stop, so URLs stay printable
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> SimulatorServer:
        if self._server is None:
            self._server = _Server(self._address, self.backend, FaultInjector(self.faults), self.requests)
            self._bound = self._server.server_address[:2]
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                            name="nhl-simulator", daemon=True)
            self._thread.start()
        return self

    def set_faults(self, faults: FaultConfig | None) -> None:
        """Serve with ``faults`` from the next request on (e.g. shift charts missing first, published later)."""
        self.faults = faults
        if self._server is not None:
            self._server.injector = FaultInjector(faults)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.close_connections()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = None
            self._thread = None

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._bound is None:
            raise RuntimeError("SimulatorServer was never started")
        host, port = self._bound
        return f"http://{host}:{port}"

    @property
    def web_api_url(self) -> str:
        return self.base_url + "/v1"

    @property
    def stats_api_url(self) -> str:
        return self.base_url + "/stats/rest"

    @property
    def request_count(self) -> int:
        return self.requests.total
