"""A realistic generated news archive, from real Korean news text (../shared/data, read at run time).

    python bench/corpus.py 10000 out.jsonl          # the articles as JSON Lines (any sinmun can ingest them)

Each article takes
- a title: one of 50,000 real Yonhap headlines (KLUE YNAT), and its desk as the section;
- a body of real news sentences: KLUE's policy and WIKITREE sentences, Wikinews' sentences,
  and headlines told as sentences, about 1,200 characters (log-normal, 300 to 6,000);
- one or two sentences naming people and companies from a long tail (a few very frequent,
  most named once or twice: Zipf over 300,000 generated names), so that the vocabulary
  and the posting lists grow with the archive the way real news does;
- a date over ten years (2016-2025, more recent years busier), a byline, sometimes a summary.

`Composer` also gives each text's terms without running Kiwi on it again: every distinct
sentence of the pool is analysed once, and an article's terms are its sentences' terms with
their offsets and positions shifted, as `Analyzer.analyze_many` joins a long text's pieces
(name sentences, nearly all distinct, are analysed for real). That is how `scale.py` builds
a million-article archive on two cores: the store, the index and search are real; only
Kiwi's work on repeated sentences is shared.
"""

from __future__ import annotations

import gzip
import json
import math
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
SENTENCE_END = re.compile(r"(?<=[다요음])\.\s+")

# Written by the project: sentences that name a person (P) or a company (C).
TEMPLATES = [
    "{P} 대변인은 이날 정례 브리핑에서 관련 계획을 다시 설명했다.",
    "현장을 찾은 {P} 씨는 예상보다 피해가 크다며 지원을 요청했다.",
    "{C} 관계자는 올해 안에 새 공장을 가동할 계획이라고 밝혔다.",
    "{P} 교수는 이번 조치가 시장에 미칠 영향을 신중히 지켜봐야 한다고 말했다.",
    "{C}는 지난 분기 영업이익이 크게 늘었다고 공시했다.",
    "{P} 위원장은 다음 주 회의에서 최종안을 확정하겠다고 밝혔다.",
    "{C}와 협력사들은 공동 연구 협약을 맺었다.",
    "{P} 선수는 이날 경기에서 두 골을 넣으며 팀의 승리를 이끌었다.",
    "{P} 연구원은 보고서에서 하반기 수출 회복을 전망했다.",
    "{C} 노조는 임금 협상이 결렬됐다며 파업을 예고했다.",
]
SURNAMES = "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉사부가복태목형피두감음빈동온호범좌팽승간상갈단견당"
GIVEN = "민서준지현수영우진하은윤호성연정희주도경재원태혜상동승유나소예채아미경선종석광철용기시규혁훈한빈람솔결별찬"
COMPANY_STEMS = "한빛새온누리미래푸른대한동서남북세계하나우리큰별솔빛가람나래다온라온아라마루"
COMPANY_KINDS = ["전자", "건설", "제약", "물산", "화학", "증권", "은행", "식품", "항공", "해운", "통신", "에너"]
DESKS = {"IT과학": "IT/과학", "경제": "경제", "사회": "사회", "생활문화": "생활/문화", "세계": "세계",
         "스포츠": "스포츠", "정치": "정치"}
YEARS = list(range(2016, 2026))


def _lines(name: str) -> Iterator[dict]:
    with gzip.open(DATA / name, "rt", encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


@dataclass
class Pool:
    """The real text articles are made of: sentences, headlines with desks, name templates."""

    sentences: list[str]
    headlines: list[tuple[str, str]]

    @classmethod
    def load(cls) -> Pool:
        sentences = [r["body"].strip() for r in _lines("klue_nli_sentences.jsonl.gz")]
        for r in _lines("ko_wikinews_dev.jsonl.gz"):
            sentences += [s.strip().rstrip(".") + "." for s in SENTENCE_END.split(r["body"]) if len(s) > 25]
        headlines = [(r["title"], DESKS.get(r["topic"], r["topic"])) for r in _lines("ynat_headlines.jsonl.gz")]
        # Headlines told as sentences: 50,000 more, with their names and vocabulary.
        sentences += [f"{title.replace('…', ', ')} 소식이 전해졌다." for title, _ in headlines[::2]]
        sentences = list(dict.fromkeys(s for s in sentences if 20 <= len(s) <= 300))
        return cls(sentences, headlines)

    def texts(self) -> list[str]:
        """Every distinct text to analyse once: sentences and headlines."""
        return list(dict.fromkeys([*self.sentences, *(h for h, _ in self.headlines)]))


class Names:
    """A long tail: the name of rank k is drawn with probability ~ 1/k^1.1 (Zipf), over every
    generated person (surname + two syllables, about 300,000) and company (about 17,000)."""

    def __init__(self, seed: int = 3) -> None:
        rng = random.Random(seed)
        # Common surnames take the frequent ranks more often (김, 이, 박 lead, as in real news).
        people = [(rng.random() * (1 if i < 20 else 4), s + a + b)
                  for i, s in enumerate(SURNAMES) for a in GIVEN for b in GIVEN if a != b]
        self.people = [name for _, name in sorted(people)]
        companies = [a + b + kind for a in COMPANY_STEMS for b in COMPANY_STEMS if a != b for kind in COMPANY_KINDS]
        rng.shuffle(companies)
        self.companies = companies
        self._cdf = {kind: self._zipf_cdf(len(names)) for kind, names in (("P", self.people), ("C", self.companies))}

    @staticmethod
    def _zipf_cdf(n: int, s: float = 1.1) -> list[float]:
        total, cdf = 0.0, []
        for k in range(1, n + 1):
            total += 1 / k ** s
            cdf.append(total)
        return [c / total for c in cdf]

    def draw(self, rng: random.Random, kind: str) -> str:
        import bisect

        names = self.people if kind == "P" else self.companies
        return names[min(len(names) - 1, bisect.bisect_left(self._cdf[kind], rng.random()))]


@dataclass
class Recipe:
    """One generated article, as the parts it is made of."""

    title: str
    section: str
    published: str
    byline: str
    body: list[str]  # sentences, in order; a name sentence is (template index, name) encoded below
    names: list[tuple[int, int, str]]  # (sentence index in body, template index, name)
    summary: list[str]


class Generator:
    def __init__(self, pool: Pool, names: Names, seed: int = 7) -> None:
        self.pool, self.names, self.rng = pool, names, random.Random(seed)

    def recipe(self) -> Recipe:
        rng = self.rng
        title, section = rng.choice(self.pool.headlines)
        length = min(6000, max(300, int(rng.lognormvariate(math.log(1150), 0.45))))
        body: list[str] = []
        size = 0
        while size < length:
            sentence = rng.choice(self.pool.sentences)
            body.append(sentence)
            size += len(sentence) + 1
        names = []
        for _ in range(1 if rng.random() < 0.6 else 2):
            t = rng.randrange(len(TEMPLATES))
            kind = "P" if "{P}" in TEMPLATES[t] else "C"
            at = rng.randint(0, len(body))
            body.insert(at, "")  # filled by `text`
            names = [(k + (k >= at), tt, nn) for k, tt, nn in names]
            names.append((at, t, self.names.draw(rng, kind)))
        year = rng.choices(YEARS, weights=[1 + 0.25 * k for k in range(len(YEARS))])[0]
        published = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        byline = self.names.draw(rng, "P") + " 기자"
        summary = rng.sample(body[:4], 2) if rng.random() < 0.3 and all(body[:4]) and len(body) >= 4 else []
        return Recipe(title, section, published, byline, body, names, summary)

    def record(self, recipe: Recipe) -> dict:
        body = list(recipe.body)
        for at, t, name in recipe.names:
            body[at] = fill(t, name)
        out = {"title": recipe.title, "body": " ".join(body), "section": recipe.section,
               "published": recipe.published, "byline": recipe.byline}
        if recipe.summary:
            out["summary"] = " ".join(recipe.summary)
        return out


class Composer:
    """An article's terms from its sentences' terms (each sentence analysed once)."""

    def __init__(self, terms: dict[str, list]) -> None:
        from sinmun.analysis.korean import Analyzer

        self.terms = terms  # text -> Term list, for every text of `Pool.texts()`
        self.analyzer = Analyzer.shared

    def join(self, pieces: list[tuple[str, list]]) -> list:
        """Terms of " ".join(texts), as Analyzer.analyze_many joins a long text's pieces."""
        from sinmun.analysis.korean import Term

        new = tuple.__new__
        whole: list = []
        offset = 0
        for text, terms in pieces:
            base = whole[-1].position + 1 if whole else 0
            # tuple.__new__, not _replace: a million articles make hundreds of millions of terms.
            whole.extend(new(Term, (t[0], t[1] + offset, t[2] + offset, t[3] + base, t[4], t[5], t[6]))
                         for t in terms)
            offset += len(text) + 1
        return whole

    def article_terms(self, recipes: list[Recipe]) -> dict[str, list]:
        """text -> terms for the articles' non-empty parts (what `Follower.catch_up(prepared=)` takes).

        Name sentences are analysed here, for real and in one call: Kiwi splits a name it
        does not know (양미하 -> 양미 + 하), and the query must meet the same split.
        """
        named = list(dict.fromkeys(fill(t, name) for r in recipes for _, t, name in r.names))
        fresh = dict(zip(named, self.analyzer().analyze_many(named), strict=True))
        out: dict[str, list] = {}
        for recipe in recipes:
            body = [(s, self.terms[s] if s else []) for s in recipe.body]  # "": a name sentence, next
            for at, t, name in recipe.names:
                sentence = fill(t, name)
                body[at] = (sentence, fresh[sentence])
            out[" ".join(s for s, _ in body)] = self.join(body)
            out[recipe.title] = self.terms[recipe.title]
            if recipe.summary:
                out[" ".join(recipe.summary)] = self.join([(s, self.terms[s]) for s in recipe.summary])
        return out


def fill(template: int, name: str) -> str:
    return TEMPLATES[template].replace("{P}", name).replace("{C}", name)


def main() -> None:
    n, out = int(sys.argv[1]), Path(sys.argv[2])
    generator = Generator(Pool.load(), Names())
    with out.open("w", encoding="utf-8") as f:
        for _ in range(n):
            f.write(json.dumps(generator.record(generator.recipe()), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
