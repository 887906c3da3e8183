"""Measure the testbed's request rate: is it ever the bottleneck of a crawl benchmark?

Starts `zwgk testbed up --pages N` in its own process, then fetches random list and
detail pages of the portal from C client threads (keep-alive connections to
127.0.0.1 with the Host header) for T seconds, and prints requests/s and latency.

    python tools/bench_testbed.py --pages 50000 --clients 8 --seconds 10
"""
from __future__ import annotations

import argparse
import http.client
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=50000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="zwgk-bench-"))
    proc = subprocess.Popen([sys.executable, "-m", "commands.cli", "testbed", "up", "--pages", str(args.pages),
                             "--dir", str(tmp), "--as-of", "2026-11-26"], stdout=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        m = re.search(r"http://([^:/]+):(\d+)/", first)
        if not m:
            print("testbed did not start:", first, file=sys.stderr)
            return 1
        host, port = m.group(1), int(m.group(2))
        for _ in range(4):
            print(proc.stdout.readline().rstrip())
        import json
        truth = json.loads((tmp / "ground_truth.json").read_text(encoding="utf-8"))
        paths = [re.sub(r"^http://[^/]+", "", d["url"]) for d in truth["documents"]]
        paths += [re.sub(r"^http://[^/]+", "", c["url"]) for c in truth["columns"]]
        counts, latencies, errors = [0] * args.clients, [], [0]
        stop = time.monotonic() + args.seconds
        lock = threading.Lock()

        def client(i: int) -> None:
            rng = random.Random(i)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            local = []
            while time.monotonic() < stop:
                t = time.perf_counter()
                try:
                    conn.request("GET", rng.choice(paths), headers={"Host": f"{host}:{port}"})
                    conn.getresponse().read()
                    counts[i] += 1
                    local.append(time.perf_counter() - t)
                except (OSError, http.client.HTTPException):
                    errors[0] += 1
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            with lock:
                latencies.extend(local)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        latencies.sort()
        total = sum(counts)
        p50 = latencies[len(latencies) // 2] * 1000 if latencies else 0
        p99 = latencies[int(len(latencies) * 0.99)] * 1000 if latencies else 0
        print(f"pages={args.pages} clients={args.clients} seconds={elapsed:.1f} requests={total} "
              f"errors={errors[0]} rate={total / elapsed:.0f} req/s p50={p50:.1f} ms p99={p99:.1f} ms")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
