"""How well the entities of an article match a labelled list (tests/fixtures/entity_labels.json).

A label is `canonical|variant|...:type`. A predicted entity is the labelled entity one of
whose forms it spells (case, spaces and hyphens aside). Counted per article, over the
articles' (article, entity) pairs:
- a prediction of a labelled entity not predicted before is right;
- a second prediction of the same entity is wrong (two chips for one person: `엘리슨`
  beside `래리 엘리슨`), and so is a prediction of no labelled entity (`스트리밍`);
- a labelled entity nothing predicted is missed.
Dictionary concepts (`concept`) are topics, not names: they are left out.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..articles import PARTS, Article
from .entities import Entity, display_names, extract

if TYPE_CHECKING:
    from .korean import Analyzer


def _key(name: str) -> str:
    return unicodedata.normalize("NFC", name).lower().replace(" ", "").replace("-", "")


@dataclass(frozen=True)
class Label:
    forms: tuple[str, ...]
    type: str

    @classmethod
    def parse(cls, text: str) -> Label:
        names, _, kind = text.rpartition(":")
        return cls(tuple(names.split("|")), kind)


@dataclass
class EntityScore:
    right: int = 0
    wrong: int = 0
    missed: int = 0
    typed: int = 0  # right ones whose type matches the label's
    errors: list[str] = field(default_factory=list)  # "article: +wrong" / "article: -missed" / "article: =duplicate"

    @property
    def precision(self) -> float:
        return self.right / max(self.right + self.wrong, 1)

    @property
    def recall(self) -> float:
        return self.right / max(self.right + self.missed, 1)

    def add(self, article: str, labels: list[Label], predicted: list[Entity]) -> None:
        owner = {_key(form): i for i, label in enumerate(labels) for form in label.forms}
        found: set[int] = set()
        for entity in predicted:
            if entity.type == "concept":
                continue
            i = owner.get(_key(entity.name))
            if i is None:
                self.wrong += 1
                self.errors.append(f"{article}: +{entity.name}")
            elif i in found:
                self.wrong += 1
                self.errors.append(f"{article}: ={entity.name} ({labels[i].forms[0]})")
            else:
                found.add(i)
                self.right += 1
                self.typed += entity.type == labels[i].type
        for i, label in enumerate(labels):
            if i not in found:
                self.missed += 1
                self.errors.append(f"{article}: -{label.forms[0]}")


def score(labels: dict[str, list[str]], articles: dict[str, Article], analyzer: Analyzer) -> EntityScore:
    """The labelled articles' entities, found as the follower finds them, against their labels."""
    displays = display_names(analyzer.aliases)
    result = EntityScore()
    for article_id, labelled in labels.items():
        article = articles[article_id]
        texts = {part: getattr(article, part) or "" for part in PARTS}
        parts = {part: terms for part, terms in zip(PARTS, analyzer.analyze_many(texts.values()), strict=True)
                 if texts[part]}
        found = extract(parts, texts, analyzer.aliases, displays, analyzer.known_common_noun)
        result.add(article_id, [Label.parse(text) for text in labelled], found)
    return result
