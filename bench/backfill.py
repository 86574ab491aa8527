"""The Ray backfill against a plain local ingest, on the same files and the same machine.

    python bench/backfill.py [--articles 542] [--nodes 2]

Writes the 542 real Wikinews articles of ../shared/data (CC BY 2.5) into files of 20
articles, then ingests them three ways into new SQLite stores, each timed from the
command's start to its end (Ray's start-up included, as a user sees it):
  local    `sinmun ingest FILES` (Kiwi on every core of this process)
  ray-1    `sinmun ingest --ray ADDRESS` on a one-node cluster of one CPU
  ray-N    the same on N nodes of one CPU each (ray.cluster_utils.Cluster: nodes on this machine)
and prints articles per second, per node, and the overhead against local ingest.
The three stores are checked to hold the same articles.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIKINEWS = ROOT.parent / "shared" / "data" / "ko_wikinews_dev.jsonl.gz"
SINMUN = Path(sys.executable).parent / "sinmun"


def ingest(files: list[str], db: Path, *extra: str) -> float:
    started = time.perf_counter()
    subprocess.run([str(SINMUN), "ingest", *extra, *files, "--db", str(db)], check=True, capture_output=True)
    return time.perf_counter() - started


def ids(db: Path) -> list[str]:
    out = subprocess.run([str(SINMUN), "export", "--db", str(db)], check=True, capture_output=True, text=True)
    return [json.loads(line)["id"] for line in out.stdout.splitlines()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=542)
    parser.add_argument("--nodes", type=int, default=2)
    args = parser.parse_args()
    from ray.cluster_utils import Cluster

    folder = Path(tempfile.mkdtemp(prefix="sinmun-backfill-"))
    with gzip.open(WIKINEWS, "rt", encoding="utf-8") as lines:
        rows = [line for _, line in zip(range(args.articles), lines, strict=False)]
    files = []
    for start in range(0, len(rows), 20):
        path = folder / f"part-{start:05d}.jsonl"
        path.write_text("".join(rows[start:start + 20]), encoding="utf-8")
        files.append(str(path))
    results = {"local": ingest(files, folder / "local.db")}
    for nodes in sorted({1, args.nodes}):
        cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
        for _ in range(nodes - 1):
            cluster.add_node(num_cpus=1)
        cluster.wait_for_nodes()
        try:
            results[f"ray-{nodes}"] = ingest(files, folder / f"ray{nodes}.db", "--ray", cluster.address)
        finally:
            cluster.shutdown()
    same = len({tuple(ids(folder / name)) for name in ["local.db", *[f"ray{n}.db" for n in sorted({1, args.nodes})]]})
    print(f"{len(rows)} Wikinews articles in {len(files)} files; stores identical: {same == 1}")
    for name, seconds in results.items():
        nodes = int(name.split("-")[1]) if name.startswith("ray") else 0
        rate = len(rows) / seconds
        per_node = f", {rate / nodes:,.1f} per node" if nodes else ""
        print(f"{name:>6}: {seconds:6.1f} s, {rate:5.1f} articles/s{per_node}, "
              f"{seconds / results['local']:.2f}x the local time")


if __name__ == "__main__":
    main()
