"""Attribution owed to the sources an archive holds: a licensed source's articles name it and its
licence, and the site's footer credits every such source the archive has articles from."""

from __future__ import annotations

from dataclasses import dataclass

from .archive import Archive


@dataclass(frozen=True)
class LicensedSource:
    name: str  # as a Korean reader knows it
    holder: str  # whom the licence asks to credit
    licence: str
    licence_url: str
    prefixes: tuple[str, ...]  # article URLs start so

    @property
    def credit(self) -> str:
        return f"{self.name} 기사: {self.holder}, {self.licence}"


SOURCES = (
    LicensedSource("위키뉴스", "ko.wikinews.org 기여자", "CC BY 2.5", "https://creativecommons.org/licenses/by/2.5/",
                   ("https://ko.wikinews.org/", "http://ko.wikinews.org/")),
)


def licence_of(url: str | None) -> LicensedSource | None:
    """The licensed source an article's URL belongs to, if any."""
    return next((s for s in SOURCES if url and url.startswith(s.prefixes)), None)


def credits(archive: Archive) -> list[LicensedSource]:
    """The licensed sources this archive holds articles from (an indexed lookup each)."""
    return [s for s in SOURCES if any(archive.store.articles.has_url_prefix(p) for p in s.prefixes)]
