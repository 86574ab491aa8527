"""Concurrent readers over loopback: requests/s and latency for 1, 8, 16 and 32 clients.

A fixed mix of reader requests (search through the API and the page, an article
through the API and the page, a list through the API and the home page) is sent
by wrk (Debian's package: C, so the load generator takes little of the CPU the
server needs) against a real `sinmun serve` on 127.0.0.1. Every figure is taken in
the same run; the ratio is against one client.

    python bench/load.py DB [--seconds 10] [--clients 1,8,16,32] [--workers 1]
    python bench/load.py DB --ingest CORPUS   # the same while a second process ingests CORPUS
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

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    return {"clients": clients, "rps": rps, "p50": ms("50%"), "p99": ms("99%"), "errors": errors}


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
        self.proc.terminate()
        self.proc.wait(timeout=30)


def run(db: Path, clients: list[int], seconds: int, workers: int = 1, ingest: Path | None = None,
        command: list[str] | None = None, threads: int | None = None) -> list[dict]:
    """wrk at each client count against one server; with `ingest`, a second process ingests meanwhile."""
    served = Served(db, workers, command, threads)
    results = []
    feeder = None
    try:
        paths = mix(article_ids(served.base))
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "mix.lua"
            script.write_text(lua(paths))
            wrk(served.base, script, 1, 2)  # warm: Kiwi's vectors, the OS cache
            if ingest is not None:
                feeder = subprocess.Popen([str(SINMUN), "ingest", str(ingest), "--db", str(db)],
                                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for c in clients:
                results.append(wrk(served.base, script, c, seconds))
        if feeder is not None:
            output = feeder.communicate(timeout=1800)[0]
            results.append({"ingest_exit": feeder.returncode, "ingest_output": output.strip().splitlines()[-1:]})
    finally:
        served.stop()
    return results


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
    parser.add_argument("--ingest", type=Path, help="a corpus a second process ingests during the load")
    parser.add_argument("--command", help="the server command to run instead of this sinmun (before/after)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (make bench installs Debian's wrk)")
    results = run(args.db, [int(c) for c in args.clients.split(",")], args.seconds, args.workers, args.ingest,
                  args.command.split() if args.command else None, args.threads)
    print(table(results))
    for r in results:
        if "ingest_exit" in r:
            print(f"ingest beside the load: exit {r['ingest_exit']}: {' '.join(r['ingest_output'])}")


if __name__ == "__main__":
    main()
