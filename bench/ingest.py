#!/usr/bin/env python3
"""Pushes SLO counts through the API as fast as it answers, for a while, and prints the rate.

Each push is six hours of minute buckets (360) for one SLO, ending a minute ago, so every push
replaces buckets already stored, as a retrying pusher would (older minutes are rolled up into
hours, which a minute bucket may not overlap). Several
threads push to different SLOs at once. Prints buckets/s and the push latency (p50, p99).

    bench/ingest.py --url URL --token rpt_... --targets FILE [--threads 8] [--seconds 15]

FILE has one "service/slo" per line. Standard library only."""
import argparse
import datetime as dt
import json
import threading
import time
import urllib.request


def batch(now: dt.datetime, salt: int) -> bytes:
    end = now.replace(second=0, microsecond=0)
    buckets = []
    for i in range(1, 361):
        start = end - dt.timedelta(minutes=i)
        bad = (i + salt) % 5 == 0
        buckets.append({"start": start.strftime("%Y-%m-%dT%H:%M:00Z"), "good": 999 if bad else 1000, "total": 1000})
    return json.dumps({"buckets": buckets}).encode()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--targets", required=True)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=15)
    a = ap.parse_args()
    targets = [t.strip() for t in open(a.targets) if t.strip()]
    body = batch(dt.datetime.now(dt.timezone.utc), 0)
    deadline = time.monotonic() + a.seconds
    lock = threading.Lock()
    latencies, errors, stored = [], [], [0]

    def worker(n: int) -> None:
        i = n
        while time.monotonic() < deadline:
            target = targets[i % len(targets)]
            i += a.threads
            req = urllib.request.Request(
                f"{a.url}/api/v1/slos/{target}/counts", data=body, method="POST",
                headers={"Authorization": f"Bearer {a.token}", "Content-Type": "application/json"})
            t0 = time.monotonic()
            try:
                with urllib.request.urlopen(req, timeout=30) as r:
                    n_stored = json.load(r)["stored"]
                with lock:
                    latencies.append(time.monotonic() - t0)
                    stored[0] += n_stored
            except Exception as e:  # a refused or failed push is counted, not fatal
                with lock:
                    errors.append(str(e)[:200])

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(a.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    pct = lambda f: latencies[min(len(latencies) - 1, int(len(latencies) * f))] * 1000 if latencies else float("nan")
    print(f"ingest: {stored[0]} buckets in {len(latencies)} pushes over {elapsed:.1f} s = "
          f"{stored[0] / elapsed:.0f} buckets/s; push p50 {pct(0.5):.0f} ms, p99 {pct(0.99):.0f} ms; "
          f"{len(errors)} failed{(' (first: ' + errors[0] + ')') if errors else ''}")


if __name__ == "__main__":
    main()
