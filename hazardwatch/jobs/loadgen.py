"""A small keep-alive HTTP/1.1 load generator for the benches (`hazardwatch bench intake`, `make bench-quiz`).

No Django and no dependencies: asyncio streams on loopback, requests encoded once beforehand (`raw_request`) so
that the generator does the same little work per request whatever the endpoint. Two shapes:

- `closed_loop`: N clients, each sends its next request as soon as the previous answer arrived, for S seconds:
  the throughput a server sustains at that concurrency;
- `open_loop`: requests start on a fixed schedule (rate per second) whatever the server does, each on a
  connection of its own; the latency of each is measured from its *scheduled* start, so a stalled server
  cannot hide its queue (no coordinated omission). Used at half the measured throughput for p50/p95/p99.

Also process probes for the figures next to the rates: RSS (`RssSampler`, max of /proc/<pid>/status VmRSS
while the load runs) and CPU seconds (/proc/<pid>/stat).
"""
import asyncio
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field



def _run(main) -> None:
    """asyncio.run(main()) in a thread of its own: the calling thread may already run an event loop (a
    Playwright test earlier in the same pytest process leaves one), and asyncio.run refuses to nest."""
    errors: list[BaseException] = []

    def target():
        try:
            asyncio.run(main())
        except BaseException as exc:  # handed back to the caller
            errors.append(exc)

    thread = threading.Thread(target=target, name="loadgen")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def raw_request(method: str, path: str, body: bytes = b"", content_type: str = "application/json",
                headers: dict | None = None) -> bytes:
    """One HTTP/1.1 keep-alive request, encoded."""
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: keep-alive"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body or method in ("POST", "PUT", "PATCH"):
        head += [f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def read_response(reader) -> tuple[int, bytes]:
    """(status, body) of one response with a Content-Length (what gunicorn sends for Django responses)."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed by the server")
    status = int(status_line.split(b" ", 2)[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _sep, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    body = await reader.readexactly(length) if length else b""
    return status, body


@dataclass
class LoadResult:
    """Counts by status ("error" = connection failures), elapsed seconds, and latencies (open loop, seconds)."""

    elapsed: float = 0.0
    counts: dict = field(default_factory=dict)
    latencies: list = field(default_factory=list)
    exhausted: bool = False

    def ok(self, status: int) -> int:
        return self.counts.get(status, 0)

    def rate(self, status: int) -> float:
        return self.ok(status) / self.elapsed if self.elapsed else 0.0

    def count(self, key) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1


async def _connect(port: int):
    return await asyncio.open_connection("127.0.0.1", port)


async def _closed_client(port, deadline, next_request, on_response, result: LoadResult):
    reader, writer = await _connect(port)
    try:
        while time.monotonic() < deadline:
            req = next_request()
            if req is None:
                result.exhausted = True
                return
            writer.write(req)
            try:
                status, body = await read_response(reader)
            except (ConnectionError, asyncio.IncompleteReadError):
                result.count("error")
                writer.close()
                reader, writer = await _connect(port)
                continue
            result.count(status)
            if on_response is not None:
                on_response(status, body)
    finally:
        writer.close()


def closed_loop(port: int, clients: int, seconds: float, next_request, on_response=None) -> LoadResult:
    """`clients` keep-alive connections, each sending `next_request()` (bytes, or None when there is no more
    work) back to back for `seconds`; `on_response(status, body)` sees every answer."""
    result = LoadResult()

    async def main():
        deadline = time.monotonic() + seconds
        await asyncio.gather(*[_closed_client(port, deadline, next_request, on_response, result)
                               for _i in range(clients)])

    t0 = time.monotonic()
    _run(main)
    result.elapsed = time.monotonic() - t0
    return result


def open_loop(port: int, rate: float, seconds: float, next_request, on_response=None) -> LoadResult:
    """Requests started every 1/rate s for `seconds`, each on a connection of its own (like clients arriving
    independently, or a proxy that does not keep connections to gunicorn open: kept-alive connections would
    pin requests to whichever gunicorn worker accepted them, and queue there while other workers idle). Each
    latency runs from the scheduled start to the end of the answer, connecting included, so a server that
    falls behind shows it in the tail."""
    result = LoadResult()
    total = max(1, int(rate * seconds))

    async def one(at: float):
        delay = at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        req = next_request()
        if req is None:
            result.exhausted = True
            return
        try:
            reader, writer = await _connect(port)
        except OSError:
            result.count("error")
            return
        try:
            writer.write(req)
            status, body = await read_response(reader)
        except (ConnectionError, asyncio.IncompleteReadError):
            result.count("error")
            return
        finally:
            writer.close()
        result.latencies.append(time.monotonic() - at)
        result.count(status)
        if on_response is not None:
            on_response(status, body)

    async def main():
        t0 = time.monotonic() + 0.05
        await asyncio.gather(*[one(t0 + i / rate) for i in range(total)])

    started = time.monotonic()
    _run(main)
    result.elapsed = time.monotonic() - started
    return result


def percentile(values, q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of a non-empty sequence."""
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(q * (len(values) - 1)))))]


def wait_http(port: int, path: str, timeout: float = 60.0, proc=None) -> None:
    """Until GET `path` answers (any status below 500), or raise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as resp:
                if resp.status < 500:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"nothing answered GET {path} on port {port} within {timeout:.0f} s")


def children(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers)."""
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    except OSError:
        return []
    return [int(x) for x in out.split()]


def rss_mb(pid: int) -> float:
    """Resident set size of one process in MB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pids) -> float:
    """User + system CPU seconds used so far by these processes."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / tick


class RssSampler:
    """Samples, every `interval` s in a thread, the RSS of named groups of processes and keeps the largest
    single process of each group: `groups` maps a name to a function returning the pids to look at now
    (gunicorn's workers change when one is recycled)."""

    def __init__(self, groups: dict, interval: float = 0.25):
        self.groups = groups
        self.interval = interval
        self.peak = {name: 0.0 for name in groups}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self):
        for name, pids in self.groups.items():
            for pid in pids():
                self.peak[name] = max(self.peak[name], rss_mb(pid))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)
        self.sample()
