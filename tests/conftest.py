"""Shared fixtures: real SQLite files in tmp dirs, the real CLI, a live server."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from sinmun.archive import Archive

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "000_ed974366ffe0647b.txt"
FIXTURES = Path(__file__).parent / "fixtures"
SINMUN = Path(sys.executable).parent / "sinmun"


def pytest_configure(config):
    if not SEED.exists():
        raise pytest.UsageError(f"the seed page is missing: {SEED} (../shared must sit beside the repo)")


def run_cli(*args: str, db: Path | None = None, check: bool = False) -> subprocess.CompletedProcess:
    """Run the installed `sinmun` command as a user would."""
    cmd = [str(SINMUN), *args]
    if db is not None:
        cmd += ["--db", str(db)]
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("SINMUN_DB", None)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def cli_json(*args: str, db: Path) -> dict:
    return json.loads(run_cli(*args, "--json", db=db, check=True).stdout)


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory) -> Path:
    """A database holding the seed page, ingested once through the real CLI."""
    db = tmp_path_factory.mktemp("seed") / "seed.db"
    run_cli("ingest", str(SEED), db=db, check=True)
    return db


@pytest.fixture(scope="session")
def seed_archive(seed_db) -> Archive:
    archive = Archive(seed_db)
    yield archive
    archive.close()


@pytest.fixture(scope="session")
def seed_ids(seed_archive) -> dict[int, str]:
    """Seed article ids by their position on the page (1 = newest)."""
    _, articles = seed_archive.store.list(limit=100)
    return {a.position: a.id for a in articles}


@pytest.fixture(scope="session")
def sample_archive(tmp_path_factory) -> Archive:
    """The project's own dated sample articles (JSON Lines)."""
    db = tmp_path_factory.mktemp("sample") / "sample.db"
    archive = Archive(db, create=True)
    report = archive.ingest([FIXTURES / "sample.jsonl"])
    assert report.new == 8 and not report.problems
    yield archive
    archive.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(seed_db, tmp_path_factory) -> str:
    """`sinmun serve` on a free port of 127.0.0.1, over a copy of the seed database."""
    db = tmp_path_factory.mktemp("served") / "served.db"
    shutil.copy(seed_db, db)
    port = free_port()
    proc = subprocess.Popen(
        [str(SINMUN), "serve", "--db", str(db), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/api/sections", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"server did not start:\n{proc.stdout.read()}")
        time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def synthetic_corpus(folder: Path, articles: int, per_file: int, seed: int = 11) -> list[Path]:
    """JSON Lines files of articles recombined from the seed's sentences (made at test time)."""
    import random
    import re

    from sinmun.ingest import read_path

    rng = random.Random(seed)
    sentences = [s.strip() + "." for a in read_path(SEED).articles
                 for s in re.split(r"(?<=다)\.\s+", a.body) if len(s) > 20]
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for start in range(0, articles, per_file):
        path = folder / f"part{start // per_file:03d}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for i in range(start, min(start + per_file, articles)):
                record = {
                    "title": f"합성 기사 {i}: " + rng.choice(sentences)[:30],
                    "body": " ".join(rng.sample(sentences, rng.randint(5, 12))),
                    "published": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        files.append(path)
    return files
