"""Shared fixtures: real SQLite files in tmp dirs, the real CLI (in-process), a live server.

The CLI runs in this process (`cli`) wherever a subprocess is not the point: the
same entry point as the installed command, without loading Kiwi for every call.
`run_process` runs the installed `sinmun` where the process itself matters
(kill -9, a watcher, a server, what a cold start imports).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

os.environ["COLUMNS"] = "200"  # before rich's consoles exist: text output is not wrapped at 80
os.environ.pop("SINMUN_DB", None)

import httpx  # noqa: E402
import pytest  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from sinmun.cli import run as run_cli_in_process  # noqa: E402
from sinmun.service import Archive  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "000_ed974366ffe0647b.txt"
FIXTURES = Path(__file__).parent / "fixtures"
SINMUN = Path(sys.executable).parent / "sinmun"


def pytest_configure(config):
    if not SEED.exists():
        raise pytest.UsageError(f"the seed page is missing: {SEED} (../shared must sit beside the repo)")


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, db: Path | str | None = None, check: bool = False) -> Ran:
    """Run a `sinmun` command line in this process, as the installed command would."""
    argv = [*args] + (["--db", str(db)] if db is not None else [])
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = run_cli_in_process(argv)
    ran = Ran(code, out.getvalue(), err.getvalue())
    if check and code != 0:
        raise AssertionError(f"sinmun {' '.join(argv)} failed ({code}):\n{ran.stdout}\n{ran.stderr}")
    return ran


def run_process(*args: str, db: Path | str | None = None, check: bool = False, env_extra: dict | None = None,
                **kwargs) -> subprocess.CompletedProcess:
    """Run the installed `sinmun` command in a process of its own (`env_extra`: more environment)."""
    cmd = [str(SINMUN), *args] + (["--db", str(db)] if db is not None else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "200", **(env_extra or {})}, **kwargs)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def cli_json(*args: str, db: Path | str) -> dict:
    return json.loads(run_cli(*args, "--json", db=db, check=True).stdout)


def _postgres_bin(program: str) -> str | None:
    if path := shutil.which(program):
        return path
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{program}"))  # where Debian puts them
    return str(found[-1]) if found else None


@pytest.fixture(scope="session")
def postgres() -> str:
    """A PostgreSQL server for the suite: $SINMUN_TEST_PG (an address whose user may create
    databases), else a throwaway cluster of our own (initdb in a temporary folder, a free
    port on 127.0.0.1, stopped when the suite ends). Yields the address without a database."""
    if given := os.environ.get("SINMUN_TEST_PG"):
        yield given.rstrip("/") + "/"
        return
    initdb, pg_ctl = _postgres_bin("initdb"), _postgres_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.fail("PostgreSQL is not installed (make test installs Debian's postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="sinmun-pg-"))
    # PostgreSQL refuses to run as root: as root (CI), the cluster belongs to Debian's postgres user.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        folder.chmod(0o755)
        shutil.chown(folder, "postgres")
    data, port = folder / "data", free_port()
    subprocess.run([*as_user, initdb, "-D", str(data), "-A", "trust", "-U", "sinmun", "--no-locale", "-E", "UTF8"],
                   check=True, capture_output=True)
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    subprocess.run([*as_user, pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql://sinmun@127.0.0.1:{port}/"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


_databases = iter(range(1, 1_000_000))


def fresh_database(postgres: str) -> str:
    """The address of a new, empty database on the suite's server (sinmun makes its tables)."""
    return f"{postgres}t{os.getpid()}_{next(_databases)}"


@contextmanager
def sinmun_home(folder: str | Path) -> Iterator[None]:
    """$SINMUN_HOME for in-process commands (where a PostgreSQL archive's index and token key live)."""
    before = os.environ.get("SINMUN_HOME")
    os.environ["SINMUN_HOME"] = str(folder)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SINMUN_HOME")
        else:
            os.environ["SINMUN_HOME"] = before


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path, monkeypatch) -> str:
    """A new, empty store: a SQLite file, then a PostgreSQL database (its server's files in tmp_path)."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    monkeypatch.setenv("SINMUN_HOME", str(tmp_path))
    return fresh_database(request.getfixturevalue("postgres"))


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory) -> Path:
    """A database holding the seed page, ingested once through the CLI. Read-only: copy it to change it."""
    db = tmp_path_factory.mktemp("seed") / "seed.db"
    run_cli("ingest", str(SEED), db=db, check=True)
    return db


@pytest.fixture
def seed_copy(seed_db, tmp_path) -> Path:
    """A copy of the seed database (with its index) that a test may change."""
    db = tmp_path / "copy.db"
    shutil.copy(seed_db, db)
    shutil.copytree(seed_db.with_name("seed.index"), tmp_path / "copy.index")
    return db


@pytest.fixture(scope="session")
def seed_archive(seed_db) -> Archive:
    archive = Archive(seed_db)
    yield archive
    archive.close()


@pytest.fixture(scope="session")
def seed_ids(seed_archive) -> dict[int, str]:
    """Seed article ids by their position on the page (1 = newest)."""
    _, articles = seed_archive.store.articles.page(limit=100)
    return {a.position: a.id for a in articles}


@pytest.fixture(scope="session")
def sample_archive(tmp_path_factory) -> Archive:
    """The project's own dated sample articles (JSON Lines)."""
    from sinmun.service.ingest import ingest

    db = tmp_path_factory.mktemp("sample") / "sample.db"
    archive = Archive(db, create=True)
    report = ingest(archive, [FIXTURES / "sample.jsonl"])
    assert report.new == 8 and not report.problems
    yield archive
    archive.close()


@pytest.fixture(scope="session")
def own_db(tmp_path_factory) -> Path:
    """The project's own articles: sample.jsonl and stories.jsonl."""
    db = tmp_path_factory.mktemp("own") / "own.db"
    run_cli("ingest", str(FIXTURES / "sample.jsonl"), str(FIXTURES / "stories.jsonl"), db=db, check=True)
    return db


# Flags that work on these machines: no sandbox as root, no background traffic.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("Debian's chromium is not installed (make test installs it)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`sinmun serve` in a process of its own on a free port of 127.0.0.1."""

    def __init__(self, db: Path | str, *extra: str, env_extra: dict | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # Its log goes to a file: a pipe nobody reads fills up (an access-log line a request) and stalls it.
        self.log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        self.proc = subprocess.Popen(
            [str(SINMUN), "serve", "--db", str(db), "--host", "127.0.0.1", "--port", str(self.port), *extra],
            stdout=self.log, stderr=subprocess.STDOUT, text=True, env={**os.environ, **(env_extra or {})})
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.base + "/api/sections", timeout=1).status_code < 500:  # answering
                    break
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError(f"server did not start:\n{self.output()}")
            time.sleep(0.2)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> str:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        out = self.output()
        self.log.close()
        return out


@pytest.fixture(scope="session")
def server(seed_db, tmp_path_factory) -> str:
    """A live server over a copy of the seed database."""
    db = tmp_path_factory.mktemp("served") / "served.db"
    shutil.copy(seed_db, db)
    running = Server(db, "--search-rate", "0")  # the suite searches faster than any reader
    yield running.base
    running.stop()


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
