"""The command line's words in Chinese and English: one catalogue, one function.

Chinese is the default. English is chosen with ``python -m analysis --lang en …``, the
variable ``ANALYSIS_LANG=en``, or a locale that starts with ``en`` (the first of ``LC_ALL``,
``LC_MESSAGES``, ``LANG`` that is set, as POSIX reads them); ``ANALYSIS_LANG`` comes before the
locale, ``--lang`` before both. ``_("key", name=value)`` is the message of ``key`` in the
language chosen, formatted with :meth:`str.format`.

The catalogue is Python data (:mod:`analysis.catalogue`): ``MESSAGES[key] = (Chinese,
English)``; a test checks that every key has both and the same placeholders in both.
argparse's own words (``usage:``, ``options``, ``error:``, …) are there too (``ARGPARSE``,
keyed by argparse's English text); :func:`install_argparse` gives them to argparse.

What the reports and the workbook say is always Chinese (a kernel inherits the user's locale):
code shared by both asks for ``lang="zh"``.
"""

from __future__ import annotations

import argparse
import contextlib
import os

from analysis.catalogue import ARGPARSE, MESSAGES

LANGUAGES = ("zh", "en")
DEFAULT = "zh"
#: read in this order; the first set decides
ENVIRONMENT = ("ANALYSIS_LANG", "LC_ALL", "LC_MESSAGES", "LANG")

_chosen: str | None = None


def normalize(value: str | None) -> str | None:
    """``en``, ``en_US.UTF-8`` -> ``en``; ``zh``, ``zh_CN`` -> ``zh``; anything else None."""
    value = (value or "").strip().lower()
    return next((lang for lang in LANGUAGES if value.startswith(lang)), None)


def from_environment(environ=None) -> str:
    """The language the environment asks for: ``en`` when the first of :data:`ENVIRONMENT` that is
    set starts with ``en``, else Chinese (``C.UTF-8``, ``zh_CN``, nothing set)."""
    environ = os.environ if environ is None else environ
    for name in ENVIRONMENT:
        value = environ.get(name)
        if value:
            return "en" if normalize(value) == "en" else DEFAULT
    return DEFAULT


def language() -> str:
    """The language in use: the one chosen with :func:`set_language`, else the environment's."""
    return _chosen or from_environment()


def set_language(lang: str | None) -> str | None:
    """Choose the language (``None``: the environment's again); returns the previous choice."""
    global _chosen
    previous, _chosen = _chosen, (normalize(lang) if lang else None)
    if lang and _chosen is None:
        raise ValueError(f"unknown language {lang!r}: {' or '.join(LANGUAGES)}")
    return previous


@contextlib.contextmanager
def in_language(lang: str | None):
    """The block in ``lang`` (``None``: the environment's), the previous choice restored after it."""
    previous = set_language(lang)
    try:
        yield
    finally:
        set_language(previous)


def _(key: str, /, *, lang: str | None = None, **values) -> str:
    """The message ``key`` in ``lang`` (default: :func:`language`), ``values`` filled in."""
    zh, en = MESSAGES[key]
    return (en if (lang or language()) == "en" else zh).format(**values)


def pick(zh: str, en: str) -> str:
    """Of a text kept in both languages elsewhere (a problem code's meaning), the one in use."""
    return en if language() == "en" else zh


def plural(key: str, n: int, **values) -> str:
    """``key.one`` for 1, else ``key.many`` (English needs both; Chinese says them alike)."""
    return _(f"{key}.{'one' if n == 1 else 'many'}", n=n, **values)


def argparse_text(text: str) -> str:
    """argparse's English ``text`` in the language in use (itself where the catalogue has none)."""
    if language() == "en":
        return text
    return ARGPARSE.get(text, text)


def install_argparse() -> None:
    """Have argparse say its own words (usage, options, errors) through :func:`argparse_text`.
    argparse looks its module-level ``_`` up at each call; English stays argparse's own text."""
    argparse._ = argparse_text  # type: ignore[attr-defined]
