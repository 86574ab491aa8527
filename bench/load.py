"""Concurrent readers over loopback: requests/s and latency for 1, 8, 16 and 32 clients.

A fixed mix of reader requests (search through the API and the page, an article
through the API and the page, a list through the API and the home page) is sent
by wrk (Debian's package: C, so the load generator takes little of the CPU the
server needs) against a real `sinmun serve` on 127.0.0.1. Every figure is taken in
the same run; the ratio is against one client.

    python bench/load.py DB [--seconds 10] [--clients 1,8,16,32] [--workers 1]
    python bench/load.py DB --during-ingest CORPUS --clients 50   # readers while a second process ingests
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

QUERIES = ["엔비디아의 수출", "OpenAI", "파라 마운트", "넷플릭스의 인수", "금리 인하", "데이터센터 전력", "AI 거품",
           "우주 망원경", "트럼프 관세", "양자 컴퓨터"]
SINMUN = Path(sys.executable).parent / "sinmun"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def article_ids(base: str, n: int = 200) -> list[str]:
    with urllib.request.urlopen(f"{base}/api/articles?limit=100") as response:
        ids = [a["id"] for a in json.load(response)["articles"]]
    return ids[:n]


def mix(ids: list[str], seed: int = 5) -> list[str]:
    """The request mix: two searches, two article views, two lists in every six requests."""
    rng = random.Random(seed)
    paths = []
    for i in range(240):
        q = urllib.parse.quote(rng.choice(QUERIES))
        paths.append([f"/api/search?q={q}", f"/search?q={q}", f"/api/articles/{rng.choice(ids)}",
                      f"/articles/{rng.choice(ids)}", f"/api/articles?limit=20&offset={rng.randrange(0, 80)}",
                      f"/?page={rng.randrange(1, 5)}"][i % 6])
    return paths


def lua(paths: list[str]) -> str:
    """A wrk script cycling through the mix and counting any status but 200 as an error."""
    return ("paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
            "counter = math.random(#paths)\n"
            "request = function()\n  counter = counter + 1\n"
            "  return wrk.format('GET', paths[(counter % #paths) + 1])\nend\n")


def wrk(base: str, script: Path, clients: int, seconds: int) -> dict:
    threads = min(clients, 2)
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{clients}", f"-d{seconds}s", "--latency", "--timeout", "10s",
                          "-s", str(script), base], capture_output=True, text=True, check=True).stdout
    return {"clients": clients, **parse(out)}


def parse(out: str) -> dict:
    """Requests/s, p50 and p99 (ms) and errors (any status but 2xx/3xx, any socket error) from wrk's report."""

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    requests = re.search(r"(\d+) requests in", out)
    return {"rps": float(rps.group(1)) if rps else 0.0, "p50": ms("50%"), "p99": ms("99%"), "errors": errors,
            "requests": int(requests.group(1)) if requests else 0}


class Served:
    def __init__(self, db: Path, workers: int, command: list[str] | None = None, threads: int | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        cmd = (command or [str(SINMUN)]) + ["serve", "--db", str(db), "--port", str(self.port)]
        if command is None:
            cmd += ["--search-rate", "0"]  # every client is 127.0.0.1: no per-address limit for a load test
        if workers > 1:
            cmd += ["--workers", str(workers)]
        if threads:
            cmd += ["--threads", str(threads)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started = time.monotonic()
        while time.monotonic() < started + 120:
            try:
                urllib.request.urlopen(self.base + "/api/sections", timeout=1)
                break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("the server did not start")
        # Every process warms up (Kiwi, its vectors) before it accepts; they started together,
        # so the others are ready about as long after the first as the first took.
        if workers > 1 or command is None:
            time.sleep(min(time.monotonic() - started, 30))

    def stop(self) -> None:
        """Stop the server; one that has not stopped 30 s after SIGTERM is a finding, not a crash of the bench."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            print("warning: the server did not stop within 30 s of SIGTERM; killed", file=sys.stderr)
            self.proc.kill()
            self.proc.wait()


def run(db: Path, clients: list[int], seconds: int, workers: int = 1, command: list[str] | None = None,
        threads: int | None = None) -> list[dict]:
    """wrk at each client count, one after the other, against one server."""
    served = Served(db, workers, command, threads)
    try:
        paths = mix(article_ids(served.base))
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "mix.lua"
            script.write_text(lua(paths))
            wrk(served.base, script, 1, 2)  # warm: Kiwi's vectors, the OS cache
            return [wrk(served.base, script, c, seconds) for c in clients]
    finally:
        served.stop()


def during_ingest(db: Path, corpus: Path, clients: int = 50, workers: int = 1) -> dict:
    """`clients` readers over loopback for as long as a second process ingests `corpus` into the
    same store (wrk runs until the ingest ends, then reports)."""
    import signal

    served = Served(db, workers)
    try:
        paths = mix(article_ids(served.base))
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "mix.lua"
            script.write_text(lua(paths))
            started = time.monotonic()
            feeder = subprocess.Popen([str(SINMUN), "ingest", str(corpus), "--db", str(db)],
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            reader = subprocess.Popen(["wrk", "-t2", f"-c{clients}", "-d3600s", "--latency", "--timeout", "10s",
                                       "-s", str(script), served.base], stdout=subprocess.PIPE, text=True)
            output = feeder.communicate(timeout=7200)[0]
            seconds = time.monotonic() - started
            reader.send_signal(signal.SIGINT)  # wrk stops and prints what it measured
            measured = parse(reader.communicate(timeout=60)[0])
    finally:
        served.stop()
    return {**measured, "clients": clients, "seconds": seconds, "ingest_exit": feeder.returncode,
            "ingest": output.strip().splitlines()[-1] if output.strip() else ""}


def table(results: list[dict]) -> str:
    rows = [r for r in results if "rps" in r]
    one = next((r["rps"] for r in rows if r["clients"] == 1), rows[0]["rps"])
    lines = ["| clients | requests/s | vs 1 client | p50 | p99 | errors |", "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['clients']} | {r['rps']:,.0f} | {r['rps'] / one:.2f}x | {r['p50']:.1f} ms | "
                     f"{r['p99']:.1f} ms | {r['errors']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", type=Path)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--clients", default="1,8,16,32")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--during-ingest", type=Path, metavar="CORPUS",
                        help="read for as long as a second process ingests CORPUS into DB")
    parser.add_argument("--command", help="the server command to run instead of this sinmun (before/after)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (make bench installs Debian's wrk)")
    if args.during_ingest:
        r = during_ingest(args.db, args.during_ingest, int(args.clients.split(",")[-1]), args.workers)
        print(f"{r['clients']} readers for {r['seconds']:.0f} s of ingest: {r['requests']:,} requests, "
              f"{r['rps']:,.0f}/s, p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, {r['errors']} errors; "
              f"ingest exit {r['ingest_exit']}: {r['ingest']}")
        return
    print(table(run(args.db, [int(c) for c in args.clients.split(",")], args.seconds, args.workers,
                    args.command.split() if args.command else None, args.threads)))


if __name__ == "__main__":
    main()
