"""A fault-injecting HTTP/TCP proxy for tests: it sits on loopback between the toolkit and the local CKAN.

It forwards bytes unchanged and, on demand, misbehaves the way a flaky network does:

- `refuse()` … `listen()`: while refused, nothing listens on the port and connecting fails at once
  (ECONNREFUSED: the request provably never left the client);
- `reset_connections(n)`: the next n accepted connections are reset before a byte is read (the client sees
  "connection reset", as from a portal that refuses it);
- `fail(path, Fault.reset())`: a request is reset before it is forwarded (the server never sees it);
- `fail(path, Fault.cut(n))`: the request head and only the first n bytes of its body (`Fault.cut()`: half of
  it) are forwarded, then both sides are reset (an upload cut in half);
- `fail(path, Fault.delay(s))`: the response is held back for s seconds (longer than the client's timeout);
- `fail(path, Fault.drop_response())`: the request is forwarded whole, and the connection is reset as soon as
  the server starts answering (the server acted, the client never learns it).

Rules pick the nth request (and the `times` after it) whose path is an action path such as
`/api/3/action/resource_create` (`/api/action/…` is the same action). `stats` counts connections, requests per
path, file uploads (multipart bodies) and every fault done. Everything is bounded in time: each connection has
a deadline and the proxy stops by itself after `lifetime` seconds. It listens and connects on loopback only.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import struct
import threading
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

_HEAD_LIMIT = 64 * 1024
_CHUNK = 64 * 1024
_API_VERSION = re.compile(r"^/api/\d+/action/")


@dataclass(frozen=True)
class Fault:
    """What to do to one request: `kind` is reset, cut, delay or drop_response."""

    kind: str
    seconds: float = 0.0
    body_bytes: int | None = None

    @classmethod
    def reset(cls) -> Fault:
        return cls("reset")

    @classmethod
    def cut(cls, body_bytes: int | None = None) -> Fault:
        """Forward only `body_bytes` of the request body (default: half of it), then reset."""
        return cls("cut", body_bytes=body_bytes)

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        return cls("delay", seconds=seconds)

    @classmethod
    def drop_response(cls) -> Fault:
        return cls("drop_response")


@dataclass
class _Rule:
    """Apply `fault` to requests number nth .. nth+times-1 whose path matches (None: every path)."""

    path: str | None
    fault: Fault
    nth: int
    times: int
    seen: int = 0

    def take(self, path: str) -> Fault | None:
        if self.path is not None and normalize_path(path) != self.path:
            return None
        self.seen += 1
        return self.fault if self.nth <= self.seen < self.nth + self.times else None


class _Abort(Exception):
    """Reset both sides of the connection now (the fault's effect)."""


@dataclass
class _Connection:
    """What the request side tells the response side about the request in flight."""

    delay: float = 0.0
    drop: bool = False


def normalize_path(path: str) -> str:
    """`/api/3/action/x` and `/api/action/x` name the same action."""
    return _API_VERSION.sub("/api/action/", urlsplit(path).path)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        return False


class FaultProxy:
    """A proxy to `upstream` (host, port) on loopback; use as a context manager or start()/stop()."""

    def __init__(self, upstream: tuple[str, int], *, lifetime: float = 600.0, connection_deadline: float = 120.0):
        if not _is_loopback(upstream[0]):
            raise ValueError(f"the fault proxy forwards to loopback only, not {upstream[0]}")
        self.upstream = upstream
        self.lifetime = lifetime
        self.connection_deadline = connection_deadline
        self.stats: Counter[str] = Counter()
        self.port = 0
        self._rules: list[_Rule] = []
        self._resets_pending = 0
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._stopped: asyncio.Event | None = None
        self._server: asyncio.Server | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="faultproxy", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- control, from the test's thread ----------------------------------------------------------------

    def reset_connections(self, count: int = 1) -> None:
        """Reset the next `count` accepted connections before reading anything from them."""
        with self._lock:
            self._resets_pending += count

    def fail(self, path: str | None, fault: Fault, *, nth: int = 1, times: int = 1) -> None:
        """Apply `fault` to the nth matching request (and `times - 1` more); path None matches every request."""
        with self._lock:
            self._rules.append(_Rule(normalize_path(path) if path else None, fault, nth, times))

    def refuse(self) -> None:
        """Stop listening: new connections are refused until `listen()` (open ones carry on)."""
        asyncio.run_coroutine_threadsafe(self._close_listener(), self._loop).result(10)

    def listen(self) -> None:
        """Listen again on the same port after `refuse()`."""
        asyncio.run_coroutine_threadsafe(self._open_listener(), self._loop).result(10)

    def clear(self) -> None:
        """Forget every rule and pending reset: from now on forward faithfully."""
        with self._lock:
            self._rules.clear()
            self._resets_pending = 0

    def requests(self, path: str) -> int:
        """How many requests for this action path went through (faulted or not)."""
        return self.stats[f"request {normalize_path(path)}"]

    def start(self) -> FaultProxy:
        self._thread.start()
        if not self._ready.wait(10) or not self.port:
            raise RuntimeError("the fault proxy did not start")
        return self

    def wait(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the proxy to stop; True when it has."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def stop(self) -> None:
        if self._thread.is_alive() and self._stopped is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
        self._thread.join(15)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- the event loop, in the proxy's thread ----------------------------------------------------------

    def _run(self) -> None:
        try:
            self._loop.run_until_complete(self._serve())
        finally:
            self._loop.close()

    async def _serve(self) -> None:
        self._stopped = asyncio.Event()
        await self._open_listener()
        self._ready.set()
        try:
            await asyncio.wait_for(self._stopped.wait(), self.lifetime)
        except TimeoutError:
            self.stats["lifetime_expired"] += 1
        await self._close_listener()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _open_listener(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, limit=_HEAD_LIMIT)
            self.port = self._server.sockets[0].getsockname()[1]

    async def _close_listener(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def _count(self, key: str) -> None:
        with self._lock:
            self.stats[key] += 1

    def _take_connection_reset(self) -> bool:
        with self._lock:
            if self._resets_pending:
                self._resets_pending -= 1
                return True
            return False

    def _fault_for(self, head: _Head) -> Fault | None:
        """Count the request and pick the fault of the first rule that fires for it."""
        with self._lock:
            self.stats["requests"] += 1
            self.stats[f"request {normalize_path(head.path)}"] += 1
            self.stats["uploads"] += head.multipart
            faults = [f for f in (rule.take(head.path) for rule in self._rules) if f is not None]
            if faults:
                self.stats[f"fault {faults[0].kind}"] += 1
            return faults[0] if faults else None

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        """One client connection; when the proxy stops, it is reset (the task ends instead of being cancelled)."""
        try:
            await self._proxy(client_reader, client_writer)
        except asyncio.CancelledError:
            _reset(client_writer)

    async def _proxy(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self._count("connections")
        if self._take_connection_reset():
            self._count("fault reset_connection")
            _reset(client_writer)
            return
        upstream_writer: asyncio.StreamWriter | None = None
        try:
            upstream_reader, upstream_writer = await asyncio.wait_for(
                asyncio.open_connection(*self.upstream, limit=_HEAD_LIMIT), 10
            )
            state = _Connection()
            pumps = [
                asyncio.ensure_future(self._pump_requests(client_reader, upstream_writer, state)),
                asyncio.ensure_future(_pump_responses(upstream_reader, client_writer, state)),
            ]
            try:
                done, pending = await asyncio.wait(
                    pumps, timeout=self.connection_deadline, return_when=asyncio.FIRST_EXCEPTION
                )
                for task in done:
                    task.result()
                if pending:
                    self._count("connection_deadline")
            finally:
                for task in pumps:
                    task.cancel()
            client_writer.close()
            upstream_writer.close()
        except _Abort:
            _reset(client_writer)
            if upstream_writer is not None:
                _reset(upstream_writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ValueError):
            self._count("connection_error")
            _reset(client_writer)
            if upstream_writer is not None:
                _reset(upstream_writer)

    async def _pump_requests(
        self, reader: asyncio.StreamReader, upstream: asyncio.StreamWriter, state: _Connection
    ) -> None:
        """Forward requests one by one, applying the fault the rules pick for each."""
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError as exc:
                if exc.partial:
                    raise
                if upstream.can_write_eof():
                    upstream.write_eof()
                return
            parsed = _parse_head(head)
            fault = self._fault_for(parsed) or Fault("")
            kind = fault.kind
            if kind == "reset":
                raise _Abort
            state.delay = fault.seconds
            state.drop = kind == "drop_response"
            upstream.write(head)
            if parsed.chunked:  # not sent by requests for our calls: pass the rest through untouched
                while data := await reader.read(_CHUNK):
                    upstream.write(data)
                    await upstream.drain()
                return
            if kind == "cut":
                keep = parsed.length // 2 if fault.body_bytes is None else min(fault.body_bytes, parsed.length)
                await _copy(reader, upstream, keep)
                raise _Abort
            await _copy(reader, upstream, parsed.length)


async def _pump_responses(reader: asyncio.StreamReader, client: asyncio.StreamWriter, state: _Connection) -> None:
    """Forward the server's bytes, holding back or dropping a response when the request asked for it."""
    while data := await reader.read(_CHUNK):
        if state.drop:
            raise _Abort
        if state.delay:
            delay, state.delay = state.delay, 0.0
            await asyncio.sleep(delay)
        client.write(data)
        await client.drain()
    client.close()


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, length: int) -> None:
    while length > 0:
        data = await reader.read(min(_CHUNK, length))
        if not data:
            raise asyncio.IncompleteReadError(b"", length)
        writer.write(data)
        await writer.drain()
        length -= len(data)


@dataclass(frozen=True)
class _Head:
    """What the proxy needs from an HTTP request head."""

    path: str
    length: int
    chunked: bool
    multipart: bool


def _parse_head(head: bytes) -> _Head:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3:
        raise ValueError("not an HTTP request line")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    return _Head(
        path=parts[1],
        length=int(headers.get("content-length", "0") or 0),
        chunked="chunked" in headers.get("transfer-encoding", "").lower(),
        multipart=headers.get("content-type", "").lower().startswith("multipart/form-data"),
    )


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (SO_LINGER 0), as a crashed peer or a middlebox would."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()
