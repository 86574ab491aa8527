"""What Korean news pages put around an article's text, and taking it off.

Wire services open with a dateline (`(부산=한빛뉴스) 박서준 기자 =`) and close with a
sign-off and an e-mail; broadcasters close with `한빛방송 뉴스 김민지입니다.` and
credits (`영상취재 / 영상편집 / 그래픽`); most outlets append a tip-line block
(`※ '당신의 제보가 뉴스가 됩니다'` with 카카오톡, 전화 and 메일 lines), photo
credits (`(사진=한빛뉴스)`) and standing notices (a helpline under every article
on a topic). None of it is the article. Used by the HTML and feed readers.

Transcript cues (`[앵커]`, `【 기자 】`) are kept: they are information for a reader
(the page shows them as labels), and the analysis skips them
(`sinmun.analysis.korean.TRANSCRIPT_CUE`).
"""

from __future__ import annotations

import re

# Lines that are furniture of Korean news pages, not article text.
_BOILERPLATE = re.compile(
    r"무단\s*전재|재배포\s*금지|저작권자|copyright|ⓒ|©|\(c\)\s|AI\s*학습\s*이용\s*금지|"
    r"^\s*(?:관련\s*기사|많이\s*본\s*뉴스|기사\s*제보|구독하기|좋아요|▶|☞|■\s*제보)|"
    r"^\s*기사\s*문의\s*(?:및|·)?\s*제보|^\s*제보\s*(?:하기|는)?\s*[:：]|^\s*기사\s*제공\s|"
    r"^\s*■\s*(?:방송|진행|대담|출연|정리)\s*[:：]|인용\s*보도할\s*때는|"
    r"^\s*\[?(?:영상\s*취재|영상\s*편집|촬영\s*기자|촬영|그래픽|화면\s*제공|자료\s*제공|취재\s*지원|디자인|"
    r"CG|편집)\s*[:：/]",
    re.I,
)
# A line that is only an address to write to: "sjpark@hanbitnews.example", "[박서준 기자 sjpark@...]".
_EMAIL_ONLY = re.compile(r"^[\[(]?[\w.\s가-힣]*[\w.+-]+@[\w-]+\.[\w.-]+\s*[\])]?\s*$")
# A line of a tip-line block: how to reach the newsroom.
_CONTACT = re.compile(r"^\s*[-·•▷▶]?\s*(?:카카오톡|카톡|전화|이메일|메일|e-?mail|홈페이지|유튜브|라인|문자|팩스|"
                      r"인스타그램|페이스북|네이버)\b|^\s*[-·•]?\s*(?:카카오톡|전화|메일)\s*[:：]", re.I)
# "(서울=한빛뉴스) 김하늘 기자 = " at the start of the first paragraph.
# "[한빛뉴스 김태양 기자] " is the same, in brackets.
_DATELINE = re.compile(r"^\s*(?:\([^()]{1,30}=[^()]{1,30}\)\s*(?:([가-힣]{2,4})\s*(?:기자|특파원|통신원))?\s*=?|"
                       r"\[(?:[A-Za-z가-힣]{2,12}\s+)?([가-힣]{2,4})\s*(?:기자|특파원|통신원)\])\s*")
# A reporter's sign-off: "김하늘 기자", optionally with an e-mail, ending the text.
_SIGNOFF = re.compile(r"(?:^|[\s/])([가-힣]{2,4})\s*(?:선임기자|객원기자|기자|특파원|통신원)"
                      r"(?:\s*[\[(]?[\w.+-]+@[\w-]+\.[\w.-]+[\])]?)?\s*(?=$|\||[-–]\s)")
# A broadcaster's sign-off: "한빛방송 뉴스 김민지입니다." (the reporter's name is the byline).
# The outlet comes first, and a desk may follow it ("한빛방송 날씨 송예린입니다.").
_ON_AIR_SIGNOFF = re.compile(r"(?:^|(?<=[.?!\"”]\s))[^.?!\n]{0,25}(?:뉴스|방송|TV|티비|라디오)[^.?!\n]{0,12}?\s?"
                             r"([가-힣]{2,4})\s*(?:입니다|이었습니다|였습니다)\.?\s*$")
# Timestamp lines printed above the text: "송고시간 2025-11-03 06:00", "입력 2025.10.20".
_STAMP = re.compile(r"^(?:송고시간|입력|수정|기사입력|최종수정|등록일?|작성일|업데이트|발행일)\s*:?\s*\d{4}[.\-/]")
# A contributor's signature closing a column: "김선우 한빛대 행정학과 교수" (the byline, not text).
_SIGNATURE = re.compile(r"^([가-힣]{2,4})\s+[^.?!]{0,30}(?:교수|연구위원|연구원|위원|대표|변호사|소장|원장|회장|"
                        r"이사장|센터장|작가|평론가|논설위원|칼럼니스트)$")
# A line that is only a byline: "글·사진 김유나 기자", "정리 = 김하늘 기자".
_BYLINE_LINE = re.compile(r"^(?:(?:글|사진|글\s*[·/]\s*사진|취재|정리)\s*[=:·]?\s*)?([가-힣]{2,4})\s*"
                          r"(?:선임기자|객원기자|기자|특파원|통신원)$")
# "기사제공 한빛스포츠 | 기자 정유찬": a credit line that names the reporter after the word.
_CREDITED = re.compile(r"(?:기자|글)\s+([가-힣]{2,4})\s*$")
# Photo credits inside a paragraph: "(사진=한빛뉴스)", "[사진 = 한빛뉴스 제공]", "/사진=연합뉴스".
_PHOTO_CREDIT = re.compile(r"\s*(?:[(\[]\s*(?:사진|영상|자료|그래픽|출처)\s*[=:]\s*[^()\[\]]{1,40}[)\]]|"
                           r"/\s*(?:사진|그래픽)\s*=\s*\S+(?:\s*제공)?)")
# A notice that ends the article: "※ 우울감 등 말하기 어려운 고민이 있거나…", "※ '당신의 제보가 뉴스가 됩니다'".
_NOTICE = re.compile(r"^\s*※")
def clean_text(text: str, title: str | None = None) -> tuple[str, str | None]:
    """Article text without page furniture, and the byline found on the way."""
    byline = None
    lines: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if _EMAIL_ONLY.match(line):  # "전소윤 기자 soyun@…": not text, but it names the reporter
            signed = _SIGNOFF.search(line)
            byline = byline or (signed.group(1) if signed else None)
            continue
        if not line or _STAMP.match(line):
            continue
        if only_byline := _BYLINE_LINE.match(line):
            byline = byline or only_byline.group(1)
            continue
        if _BOILERPLATE.search(line):
            credited = _CREDITED.search(line)
            byline = byline or (credited.group(1) if credited else None)
            continue
        if not lines and title and line.strip(" \"'") == title.strip(" \"'"):
            continue  # the headline repeated at the top of the text
        if not lines:
            m = _DATELINE.match(line)
            if m:
                byline = m.group(1) or m.group(2) or byline
                line = line[m.end():]
        line = _PHOTO_CREDIT.sub("", line).strip()
        if line:
            lines.append(line)
    lines = _without_notices(lines)
    return _without_signoff(lines, byline)


def _without_notices(lines: list[str]) -> list[str]:
    """The text before a closing ※ block (a notice or a tip line, and the contact lines after it)."""
    for i in range(max(0, len(lines) - 8), len(lines)):
        if _NOTICE.match(lines[i]) and all(_NOTICE.match(x) or _CONTACT.match(x) or len(x) < 80 or "☎" in x
                                           for x in lines[i:]):
            return lines[:i]
    return lines


def _without_signoff(lines: list[str], byline: str | None) -> tuple[str, str | None]:
    """A sign-off near the end ("김하늘 기자 sky@...", "한빛방송 뉴스 김민지입니다.") closes the text;
    what follows it on the page (e-mail, sidebars merged in by table layouts) is not article text."""
    if lines and (signature := _SIGNATURE.match(lines[-1])):
        byline = byline or signature.group(1)
        lines = lines[:-1]
    for i in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
        m = _SIGNOFF.search(lines[i]) or _ON_AIR_SIGNOFF.search(lines[i])
        if m and len(lines[i]) - m.end() < 200:
            byline = byline or m.group(1)
            lines[i] = lines[i][:m.start()].rstrip()
            del lines[i + 1:]
            if not lines[i]:
                del lines[i]
            break
    return "\n".join(lines), byline
