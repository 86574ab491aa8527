"""Trends: how often terms and entities appear over time, what is rising, what co-occurs.

- `series`: for each query term, the number of articles matching it per day,
  week or month (search semantics: 엔비디아 counts articles saying Nvidia too;
  the caller finds the matches). Only dated articles count.
- `rising`: entities whose share of articles in the latest window is highest
  against the window before it (BigKinds' 연관어/급상승), with add-one smoothing
  so a name seen once is not "infinitely" rising.
- `network`: the entities named together in the articles of a query or an entity
  (BigKinds' 관계도): nodes weighted by articles, edges by articles naming both.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from itertools import combinations

from ..errors import BadRequest
from ..store import Store

INTERVALS = ("day", "week", "month")
NETWORK_NODES = 25


def bucket(day: str, interval: str) -> str:
    d = date.fromisoformat(day[:10] if len(day) >= 10 else (day + "-01")[:10])
    if interval == "day":
        return d.isoformat()
    if interval == "week":
        return (d - timedelta(days=d.weekday())).isoformat()
    return d.isoformat()[:7]


def series(matches: dict[str, dict[int, int]], interval: str = "month") -> dict:
    """Dated articles per bucket for each term, given how many articles each term matches on each
    day (20251215 -> n; day 0 holds the undated)."""
    if interval not in INTERVALS:
        raise BadRequest(f"unknown interval {interval!r} (use {', '.join(INTERVALS)})")
    if not matches:
        raise BadRequest("give at least one term")
    result: dict = {"interval": interval, "terms": []}
    buckets: set[str] = set()
    for term, days in matches.items():
        counts: Counter[str] = Counter()
        for day, n in days.items():
            if day:
                counts[bucket(f"{day // 10000:04d}-{day // 100 % 100:02d}-{day % 100:02d}", interval)] += n
        buckets |= set(counts)
        result["terms"].append({"term": term, "total": sum(days.values()), "dated": sum(counts.values()),
                                "counts": dict(sorted(counts.items()))})
    result["buckets"] = fill(sorted(buckets), interval)
    return result


def fill(buckets: list[str], interval: str, most: int = 400) -> list[str]:
    """Every bucket from the first to the last, so a chart's gaps show as zeros."""
    if len(buckets) < 2:
        return buckets
    out = [buckets[0]]
    while out[-1] < buckets[-1] and len(out) < most:
        last = out[-1]
        if interval == "month":
            year, month = int(last[:4]), int(last[5:7])
            out.append(f"{year + month // 12:04d}-{month % 12 + 1:02d}")
        else:
            step = 7 if interval == "week" else 1
            out.append((date.fromisoformat(last) + timedelta(days=step)).isoformat())
    return out if out[-1] == buckets[-1] else buckets


def rising(store: Store, window_days: int = 7, limit: int = 10) -> dict:
    """Entities whose share of articles rose most in the latest window."""
    latest = store.articles.latest_day()
    if not latest:
        return {"until": None, "window_days": window_days, "entities": []}
    end = date.fromisoformat(latest)
    recent_from = (end - timedelta(days=window_days - 1)).isoformat()
    base_from = (end - timedelta(days=window_days * 5 - 1)).isoformat()

    def counts(since: str, until: str) -> tuple[Counter, int]:
        return Counter(store.entities.counts_between(since, until)), store.articles.count_between(since, until)

    now, n_now = counts(recent_from, latest)
    before, n_before = counts(base_from, (end - timedelta(days=window_days)).isoformat())
    scored = []
    for (name, kind), n in now.items():
        share_now = (n + 1) / (n_now + 2)
        share_before = (before.get((name, kind), 0) + 1) / (n_before + 2)
        scored.append({"name": name, "type": kind, "recent": n, "before": before.get((name, kind), 0),
                       "ratio": round(share_now / share_before, 3)})
    scored.sort(key=lambda e: (-e["ratio"], -e["recent"], e["name"]))
    return {"until": latest, "window_days": window_days, "entities": [e for e in scored if e["recent"] >= 2][:limit]}


def network(store: Store, article_ids: list[str], nodes: int = NETWORK_NODES) -> dict:
    """Entities co-occurring in the given articles: nodes and weighted edges."""
    per_article: dict[str, set[str]] = {}
    kinds: dict[str, str] = {}
    for article_id, name, kind in store.entities.names_in(article_ids, ("concept",)):
        per_article.setdefault(article_id, set()).add(name)
        kinds[name] = kind
    frequency = Counter(name for names in per_article.values() for name in names)
    keep = {name for name, _ in frequency.most_common(nodes)}
    edges: Counter[tuple[str, str]] = Counter()
    for names in per_article.values():
        for a, b in combinations(sorted(names & keep), 2):
            edges[(a, b)] += 1
    return {
        "articles": len(article_ids),
        "nodes": [{"id": n, "type": kinds[n], "articles": frequency[n]}
                  for n in sorted(keep, key=lambda n: -frequency[n])],
        "edges": [{"source": a, "target": b, "weight": w} for (a, b), w in edges.most_common() if w >= 1],
    }

