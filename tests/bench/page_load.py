"""Load and CPU measurement for the page benchmarks: gunicorn servers, a bounded load generator, and
the CPU time gunicorn's workers spent (from /proc, before and after each run).

The load generator is wrk when it is installed (it costs the shared cores far less than Python
clients), otherwise threads with http.client. Both stop by themselves: wrk after --duration seconds,
the threads after a fixed number of requests or the same time limit. Everything goes to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A gunicorn master with its workers, on a free port of 127.0.0.1."""

    def __init__(self, name: str, app: str, *, cwd: Path, env: dict, workers: int, threads: int):
        self.name = name
        self.port = free_port()
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments, local server
            [str(Path(sys.executable).with_name("gunicorn")), "-w", str(workers), "--threads", str(threads),
             "-b", f"127.0.0.1:{self.port}",
             "--log-level", "warning", app], cwd=cwd, env=env)
        self._wait()

    def _wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name}: gunicorn exited early")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{self.name}: gunicorn did not start")

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        try:
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    def cpu_seconds(self) -> float:
        """User + system CPU time of the workers so far (the master only supervises)."""
        total = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        return total / CLOCK_TICKS

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Client:
    """One keep-alive connection with its cookies."""

    def __init__(self, port: int, cookies: dict | None = None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": cookie_header(self.cookies)} if self.cookies else {}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.split(";", 1)[0].partition("=")
                self.cookies[name] = rest
        return response.status, text


def cookie_header(cookies: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    p50: float  # ms
    p99: float  # ms
    cpu: float  # seconds of worker CPU

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        return self.cpu * 1000 / self.requests if self.requests else float("nan")


_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNIT[unit]


def run_wrk(server: Server, path: str, cookies: dict, *, connections: int, duration: float) -> Result:
    before = server.cpu_seconds()
    output = subprocess.run(  # noqa: S603 - fixed arguments, local server
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration:g}s", "--timeout", "30s", "--latency",
         "-H", f"Cookie: {cookie_header(cookies)}", f"http://127.0.0.1:{server.port}{path}"],
        capture_output=True, text=True, check=True).stdout
    cpu = server.cpu_seconds() - before
    done = re.search(r"(\d+) requests in ([\d.]+)(\w+),", output)
    latency = dict(re.findall(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+(?:us|ms|s|m))", output, re.M))
    if not done or len(latency) < 2:
        raise SystemExit(f"could not read wrk's output:\n{output}")
    requests, seconds = int(done.group(1)), _ms(done.group(2) + done.group(3)) / 1000
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    failed = (int(errors.group(1)) if errors else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    return Result(requests, failed, seconds, _ms(latency["50"]), _ms(latency["99"]), cpu)


def run_threads(server: Server, make_request, cookies: dict, *, requests: int, connections: int,
                duration: float) -> Result:
    """make_request(client) -> status, from `connections` threads, until `requests` or `duration`."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    issued = iter(range(requests))
    deadline = time.monotonic() + duration

    def worker():
        client = Client(server.port, cookies)
        while time.monotonic() < deadline:
            with lock:
                if next(issued, None) is None:
                    return
            started = time.perf_counter()
            status = make_request(client)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status not in (200, 302):
                    errors.append(status)

    before = server.cpu_seconds()
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    cpu = server.cpu_seconds() - before
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] if latencies else 0.0
    return Result(len(latencies), len(errors), wall, statistics.median(latencies or [0]) * 1000, p99 * 1000, cpu)


def run_get(server: Server, path: str, cookies: dict, *, connections: int, duration: float,
            requests: int) -> Result:
    if shutil.which("wrk"):
        return run_wrk(server, path, cookies, connections=connections, duration=duration)
    return run_threads(server, lambda c: c.request("GET", path)[0], cookies, requests=requests,
                       connections=connections, duration=duration)
