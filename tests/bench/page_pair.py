"""Two case pages alternated in one process: the customer's and the agent's (bench_portal.py's "case page"
and "staff case"), or one case seen by both (--reference, a case of the busy customer in the agent's
workgroups), to compare what the staff side costs beside the customer side on the same minutes.

In-process (Flask's test client, the app's own database connection), both viewers signed in through the
login form. Each round loads one page --batch times, then the other: the thread CPU per request of each
batch, and on PostgreSQL running here the CPU the server process behind the connection spent (from
/proc, as profile_pages.py reads it; summed over all rounds). Printed: the median CPU per request of each
page over --rounds rounds, the median of the rounds' customer/agent ratios with its interquartile range,
and the ratio of client and server CPU together. On a shared VM single runs of a few hundred requests
drift by 10-20 %; alternating batches within one process is what makes two pages (or two code trees,
run one after the other several times) comparable.

    .venv/bin/python tests/bench/page_pair.py --database-url postgresql://.../caseport_c --schema i12_bench_20k
        [--reference 89121525] [--rounds 150] [--batch 8] [--calls]

Compare two code trees by running each tree's copy from that tree's root, alternately, a few times.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

SECRET_KEY = "bench-secret-key-that-is-long-enough-0123456789"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a database seeded by `caseport seed`")
    parser.add_argument("--schema", help="PostgreSQL: the schema of a seeded database (bench_portal.py --reuse NAME)")
    parser.add_argument("--reference", help="one case for both viewers (the busy customer's, in the agent's "
                                            "workgroups); by default each viewer's benchmark case")
    parser.add_argument("--rounds", type=int, default=150)
    parser.add_argument("--batch", type=int, default=8, help="requests per page and round")
    parser.add_argument("--lean", action="store_true",
                        help="also alternate the lean reference's two pages (tests/bench/lean_app.py, in-process) "
                             "and print each Caseport page's CPU as a multiple of the lean page showing the same "
                             "content: the staff page against a lean staff page, the customer's against the "
                             "customer's. The lean staff page shows the staff parts of a closed case (the "
                             "benchmark's cases are closed): with --reference of an open case it leaves out "
                             "the open case's forms, and the comparison does not hold")
    parser.add_argument("--calls", action="store_true",
                        help="also count the Python function calls of a request (cProfile over 50 requests "
                             "a page): a measure of work that does not drift with the machine's speed")
    args = parser.parse_args()

    from bench_portal import find_targets, postgres_schema_url
    from profile_pages import CSRF_RE, ServerCPU

    from portal import create_app
    from portal.demo import DEMO_PASSWORD

    url = postgres_schema_url(args.database_url, args.schema) if args.schema else args.database_url
    targets = find_targets(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
    pages = {
        "customer": f"/cases/{args.reference or targets['customer_case'][0]}",
        "agent": f"/cases/{args.reference or targets['agent_case'][0]}",
    }
    clients = {}
    for viewer, path in pages.items():
        client = app.test_client()
        match = CSRF_RE.search(client.get("/login").get_data(as_text=True))
        signed_in = client.post("/login", data={"csrf_token": match.group(1) or match.group(2),
                                                "email": targets[viewer].email, "password": DEMO_PASSWORD})
        assert signed_in.status_code == 302, (viewer, signed_in.status_code)
        for _ in range(30):  # warm: the kept parts, the statements' prepared plans, the session's CSRF secret
            assert client.get(path).status_code == 200, (viewer, path)
        clients[viewer] = client
    server = ServerCPU(app)
    readers = dict.fromkeys(pages, server)
    runs = {viewer: (clients[viewer], path) for viewer, path in pages.items()}
    if args.lean:
        lean_client, lean_server = _lean(url, targets)
        for viewer, path in pages.items():
            lean_client.set_cookie("viewer", str(targets[viewer].id))
            for _ in range(30):
                assert lean_client.get(path).status_code == 200, ("lean", viewer, path)
            runs[f"lean {viewer}"] = (lean_client, path)
            readers[f"lean {viewer}"] = lean_server
    spent = {name: [] for name in runs}
    server_spent = dict.fromkeys(runs, 0.0)
    server_known = True
    for _ in range(args.rounds):
        for name, (client, path) in runs.items():
            if name.startswith("lean "):
                client.set_cookie("viewer", str(targets[name.removeprefix("lean ")].id))
            before, started = readers[name].seconds(), time.thread_time()
            for _ in range(args.batch):
                client.get(path)
            spent[name].append((time.thread_time() - started) * 1000 / args.batch)
            after = readers[name].seconds()
            if before is None or after is None or before[0] != after[0]:
                server_known = False
            else:
                server_spent[name] += after[1] - before[1]
    requests = args.rounds * args.batch
    ratios = [c / a for c, a in zip(spent["customer"], spent["agent"], strict=True)]
    quartiles = statistics.quantiles(ratios, n=4)
    print(f"customer {pages['customer']}, agent {pages['agent']}; {args.rounds} rounds of {args.batch}")
    for viewer in runs:
        line = f"  {viewer:<14} {statistics.median(spent[viewer]):6.2f} ms client CPU a request (median)"
        if server.enabled and server_known:
            line += f", {server_spent[viewer] * 1000 / requests:5.2f} ms server CPU (mean)"
        print(line)
    print(f"  customer/agent client CPU: {statistics.median(ratios):.3f} (IQR {quartiles[0]:.3f}-{quartiles[2]:.3f})")
    if server.enabled and server_known:
        both = {viewer: sum(spent[viewer]) * args.batch / 1000 + server_spent[viewer] for viewer in pages}
        print(f"  customer/agent client and server CPU: {both['customer'] / both['agent']:.3f}")
    if args.lean:
        # Each Caseport page against the lean page with the same content, round by round (same minutes)
        for viewer in pages:
            multiples = [mine / lean for mine, lean in zip(spent[viewer], spent[f"lean {viewer}"], strict=True)]
            low, _, high = statistics.quantiles(multiples, n=4)
            line = (f"  {viewer:<9} Caseport/lean client CPU: {statistics.median(multiples):.2f}x "
                    f"(IQR {low:.2f}-{high:.2f})")
            if server.enabled and server_known:
                mine = sum(spent[viewer]) * args.batch / 1000 + server_spent[viewer]
                lean = sum(spent[f"lean {viewer}"]) * args.batch / 1000 + server_spent[f"lean {viewer}"]
                line += f"; client and server CPU: {mine / lean:.2f}x"
            print(line)
    if args.calls:
        import cProfile
        import pstats

        calls = {}
        for viewer, path in pages.items():
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(50):
                clients[viewer].get(path)
            profile.disable()
            calls[viewer] = pstats.Stats(profile).total_calls / 50
        print(f"  Python function calls a request: customer {calls['customer']:,.0f}, agent {calls['agent']:,.0f} "
              f"({calls['customer'] / calls['agent']:.3f})")


class _LeanServerCPU:
    """ServerCPU for the lean app's own connection (this thread's): the backend's CPU from /proc."""

    def __init__(self, store):
        self._store = store

    def seconds(self):
        from profile_pages import process_cpu

        return process_cpu(self._store.connection().info.backend_pid) if self._store.postgres else None


def _lean(url: str, targets):
    """The lean reference in-process on the same database, a test client for it, and its server CPU."""
    import os

    os.environ["DATABASE_URL"] = url
    import lean_app

    lean = lean_app.create_app()
    return lean.test_client(), _LeanServerCPU(lean.extensions["lean_store"])


if __name__ == "__main__":
    main()
