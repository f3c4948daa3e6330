"""The text of a file's bytes (:func:`decode`): a BOM, else UTF-8, else GB18030, else UTF-16
without a BOM; a file that is none of them, or binary, is a problem row saying where.
"""

from __future__ import annotations

import codecs
import re

from analysis.problems import Problem

_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f\ufffd]")


def _looks_binary(text: str) -> bool:
    """Control characters or replacement marks in more than 2% of the text (its first
    100,000 characters): no table. (Private-use characters are no sign: a damaged GB18030
    line runs dozens of them before it resynchronizes.)"""
    sample = text[:100_000]
    if not sample:
        return False
    return len(_BINARY.findall(sample)) > max(8, len(sample) // 50)


_TEXTLIKE = re.compile(
    r"[\t\n\r\x20-\x7e\u00a0-\u00ff\u2000-\u206f\u2460-\u24ff\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
)


def _text_share(text: str) -> float:
    """The share of characters one expects in a Chinese table (ASCII, CJK, their punctuation)."""
    if not text:
        return 0.0
    return len(_TEXTLIKE.findall(text)) / len(text)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _lenient(data: bytes, enc: str) -> tuple[str, int]:
    """Decode strictly if possible, else with U+FFFD for each bad byte; also the number of bad bytes."""
    try:
        return data.decode(enc), 0
    except UnicodeDecodeError:
        text = data.decode(enc, errors="replace")
        return text, text.count("\ufffd")


def _mostly(text: str, bad: int) -> bool:
    """A few bad bytes in otherwise good text (a damaged file), not the wrong encoding
    (where most non-ASCII characters come out bad)."""
    non_ascii = sum(1 for ch in text[:20000] if ord(ch) > 0x7F)
    return bad <= max(3, non_ascii // 50)


def _line_at(text: str, index: int) -> int:
    head = text[:index]
    return head.count("\n") + head.count("\r") - head.count("\r\n") + 1


def _first_bad_line(data: bytes) -> int:
    """The line (counting LF bytes) of the first byte that is no UTF-8, or of the first NUL."""
    try:
        data.decode("utf-8")
        at = data.find(b"\x00")
    except UnicodeDecodeError as exc:
        at = exc.start
    return data[: max(at, 0)].count(b"\n") + 1


def decode(data: bytes, rel: str) -> tuple[str | None, str | None, list[Problem]]:
    """Decode ``data`` and return ``(text, encoding, problems)``.

    A byte-order mark decides (UTF-8, UTF-16 LE/BE, UTF-32). Without one: NUL bytes mean
    UTF-16 (UTF-8 and GB18030 text never holds one; UTF-16 does for every ASCII character,
    tabs and line ends included), in the byte order that reads as text; else UTF-8; else
    GB18030 (a superset of GBK and GB2312). A few bad bytes in otherwise good text are
    replaced (U+FFFD) and stray control characters removed, with a ``bad-bytes`` warning;
    text that is mostly bad, or binary, is ``undecodable``.
    """
    text = encoding = None
    bad = 0
    for bom, enc in _BOMS:
        if data.startswith(bom):
            cand, b = _lenient(data, enc)
            cand = cand.lstrip("\ufeff")
            if text is None or _text_share(cand[:4000]) > 0.8:
                text, encoding, bad = cand, enc, b
            if _text_share(cand[:4000]) > 0.8:
                break  # FF FE 00 00 is a UTF-32 mark, or a UTF-16 one and a NUL: take what reads as text
    if text is None and b"\x00" in data[:4000]:
        best = None
        for enc in ("utf-16-le", "utf-16-be"):
            cand, b = _lenient(data, enc)
            score = _text_share(cand[:4000])
            if score > 0.9 and (best is None or score > best[0]):
                best = (score, cand, enc, b)
        if best is not None:
            _, text, encoding, bad = best
    if text is None:
        cand, b = _lenient(data, "utf-8")
        if b == 0 or _mostly(cand, b):
            text, encoding, bad = cand, "utf-8", b
    if text is None:
        cand, b = _lenient(data, "gb18030")
        if b == 0 or _mostly(cand, b):
            text, encoding, bad = cand, "gb18030", b
    if text is None or _looks_binary(text):
        line = _first_bad_line(data)
        return (
            None,
            None,
            [
                Problem(
                    rel,
                    line,
                    "undecodable",
                    f"{rel}, line {line}: not text in UTF-8, UTF-16 or GB18030 (a binary file?); the file is not read",
                )
            ],
        )
    problems = []
    controls = _CONTROL.search(text)
    if bad or controls:
        first = min(i for i in (text.find("\ufffd") if bad else -1, controls.start() if controls else -1) if i >= 0)
        n_ctl = len(_CONTROL.findall(text)) if controls else 0
        line = _line_at(text, first)
        problems.append(
            Problem(
                rel,
                line,
                "bad-bytes",
                f"{rel}, line {line}: {bad + n_ctl} byte(s) or character(s) are no {encoding} text "
                f"(first here); bad bytes shown as \ufffd, control characters removed",
            )
        )
        if controls:
            text = _CONTROL.sub("", text)
    return text, encoding, problems
