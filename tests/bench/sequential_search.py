"""An agent's keyword search, sequential, under gunicorn, with nothing run before it.

bench_portal.py measures the sequential search latency right after the throughput runs of Caseport and
of the lean reference (whose agent search reads every match: half a second a request at 1,000,000 cases).
This script serves Caseport alone (gunicorn, 2 sync workers, as bench_portal does), signs in as the seeded
agent, warms the workers up with 30 requests, then times N requests one after another: p50, p95, max, and
where the slowest fell in the sequence.

    .venv/bin/python tests/bench/sequential_search.py --database-url URL [--requests 300] [--search printer]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import quote_plus

sys.path.insert(0, str(Path(__file__).parent))

from bench_portal import SECRET_KEY, check_page, find_targets, sign_in  # noqa: E402
from page_load import Client, Server  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a database seeded by `caseport seed`")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--search", default="printer", help="the keywords searched (as typed)")
    args = parser.parse_args()

    from portal.demo import DEMO_PASSWORD

    targets = find_targets(args.database_url)
    server = Server("Caseport", "portal:create_app()", cwd=ROOT, workers=2, threads=1,
                    env={**os.environ, "DATABASE_URL": args.database_url, "SECRET_KEY": SECRET_KEY})
    try:
        cookies = sign_in(server.port, targets["agent"].email, DEMO_PASSWORD)
        path = f"/staff/search?q={quote_plus(args.search)}"
        check_page(server, path, cookies, warm=30)
        client = Client(server.port, cookies)
        walls = []
        for position in range(args.requests):
            started = time.perf_counter()
            status, _ = client.request("GET", path)
            assert status == 200, f"{path} answered {status}"
            walls.append(((time.perf_counter() - started) * 1000, position))
    finally:
        server.process.terminate()
        server.process.wait()
    walls.sort()
    n = len(walls)
    print(f"agent search {args.search!r}, {n} sequential requests: p50 {walls[n // 2][0]:.1f} ms, "
          f"p95 {walls[min(n - 1, int(0.95 * n))][0]:.1f} ms, max {walls[-1][0]:.1f} ms")
    print("slowest (ms at position):", ", ".join(f"{ms:.1f} at {at}" for ms, at in walls[-10:]))


if __name__ == "__main__":
    main()
