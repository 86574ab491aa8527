"""The service layer: what the faces (CLI, API, pages) ask of sinmun, split by job.

    archive.py      Archive: the store and what is derived from it, opened lazily, shared by threads
    params.py       SearchParams, ListParams, StoryParams: one definition of each parameter
    models.py       the typed answers (pydantic), which the API documents in /openapi.json
    ingest.py       taking articles in (files, folders, URLs, the quarantine, the watch log)
    queries.py      read-only questions: search, articles, stories, entities, trends
    maintenance.py  following the change log, check, reindex, train

    archive = Archive("news.db")
    queries.search(archive, SearchParams(q="엔비디아의 수출"))
"""

from .archive import Archive

__all__ = ["Archive"]
