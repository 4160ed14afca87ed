"""An agent's keyword search, sequential, under gunicorn, with nothing run before it.

bench_portal.py measures the sequential search latency after the throughput runs of Caseport and of the
lean reference (whose agent search reads every match: half a second a request at 1,000,000 cases), once
the reference's backlog of abandoned requests is done. This script serves Caseport alone (gunicorn, 2
sync workers, as bench_portal does), signs in as the seeded agent, warms the workers up with 30 requests,
then times N requests one after another: p50, p95 and where the five slowest fell in the sequence.

    .venv/bin/python tests/bench/sequential_search.py --database-url URL [--requests 300] [--search printer]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import quote_plus

sys.path.insert(0, str(Path(__file__).parent))

from bench_portal import SECRET_KEY, check_page, find_targets, sequential_latency, sign_in  # noqa: E402
from page_load import Server  # noqa: E402

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
        p50, p95, slowest = sequential_latency(server, path, cookies, args.requests)
    finally:
        server.process.terminate()
        server.process.wait()
    print(f"agent search {args.search!r}, {args.requests} sequential requests: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print(f"slowest: {slowest}")


if __name__ == "__main__":
    main()
