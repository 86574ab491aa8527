"""The shape of the code keeps its promises: who may touch the database, one definition of each
parameter across the faces, every response documented, every error with its status and exit code."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from sinmun import errors
from sinmun.search.params import SearchFilters, SearchParams
from sinmun.service.params import ExportParams

from conftest import ROOT, run_cli

SRC = ROOT / "src" / "sinmun"
STORE = SRC / "store"


def sources() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_only_the_store_talks_to_the_database():
    offenders = [f"{path.relative_to(ROOT)}:{n}" for path in sources() if STORE not in path.parents
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"\bexecute(many|script)?\(|^\s*(import sqlite3|from sqlite3 )", line)]
    assert offenders == []


def test_no_module_is_over_500_lines():
    long = {str(p.relative_to(ROOT)): n for p in sources() if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500}
    assert long == {}


def test_the_cli_takes_exactly_the_search_parameters_the_api_documents(server):
    spec = httpx.get(server + "/openapi.json").json()
    api = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert api == set(SearchParams.model_fields)
    help_text = run_cli("search", "--help").stdout
    # --all is the CLI's own: it pages through the API's answers.
    options = set(re.findall(r"--([a-z-]+)", help_text)) - {"db", "json", "help", "no-expand", "no-correct",
                                                             "no-facets", "no-include-duplicates", "all"}
    assert options == {name.replace("_", "-") for name in SearchParams.model_fields} - {"q"}
    # An export takes a search's filters by the same definitions.
    exported = {p["name"] for p in spec["paths"]["/api/export"]["get"]["parameters"]}
    assert exported == set(ExportParams.model_fields) and set(SearchFilters.model_fields) <= exported
    export_help = run_cli("export", "--help").stdout
    options = set(re.findall(r"--([a-z-]+)", export_help)) - {"db", "out", "help", "no-include-duplicates"}
    assert options == {name.replace("_", "-") for name in ExportParams.model_fields} - {"q"}


def test_every_api_route_documents_its_answer_and_its_errors(server):
    spec = httpx.get(server + "/openapi.json").json()
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            success = next(code for code in operation["responses"] if code.startswith("2"))
            if path == "/api/export":  # a file, in the format asked for
                assert {"text/csv", "application/x-ndjson", "application/vnd.apache.parquet"} <= set(
                    operation["responses"][success]["content"])
            else:
                ok = operation["responses"][success]["content"]["application/json"]["schema"]
                assert ok, (method, path)  # a model, not an untyped dict
            for status in ("401", "404", "422", "429", "500"):
                error = operation["responses"][status]["content"]["application/json"]["schema"]
                assert error == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, status)


@pytest.mark.parametrize("error, status, exit_code", [
    (errors.SinmunError, 500, 1), (errors.BadRequest, 400, 2), (errors.TooLarge, 413, 2),
    (errors.NotFound, 404, 3), (errors.Conflict, 409, 4), (errors.Busy, 503, 75),
])
def test_each_error_carries_its_status_and_exit_code(error, status, exit_code):
    assert (error.status, error.exit_code) == (status, exit_code)
    assert issubclass(error, errors.SinmunError)


def test_every_exception_sinmun_defines_is_in_the_one_tree():
    import importlib
    import inspect

    defined = []
    for path in sources():
        name = ".".join(path.relative_to(SRC.parent).with_suffix("").parts).removesuffix(".__init__")
        module = importlib.import_module(name)
        defined += [obj for _, obj in inspect.getmembers(module, inspect.isclass)
                    if issubclass(obj, Exception) and obj.__module__ == module.__name__]
    assert defined and all(issubclass(e, errors.SinmunError) for e in defined), defined


def test_an_unexpected_failure_is_a_json_500_not_a_traceback(seed_db):
    """The catch-all: a handler that fails for a reason nobody foresaw still answers in the API's shape."""
    from fastapi.testclient import TestClient

    from sinmun.service import Archive
    from sinmun.web import create_app

    app = create_app(Archive(seed_db), index_in_background=False)

    @app.get("/api/fails")
    def fails() -> dict:
        raise RuntimeError("nobody saw this coming")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/fails")
        page = client.get("/articles/0000000000000000")
    assert response.status_code == 500
    assert response.json() == {"status": 500, "message": "internal error (the server log has the details)"}
    assert page.status_code == 404 and "찾을 수 없습니다" in page.text
