"""Every reader counts its work against the file's bounds before it allocates it.

Files of a few kilobytes (from ``tests/hostile.py``) that a reader would expand to gigabytes:
a Word document inflating to hundreds of megabytes or holding millions of elements, a Word
table of wide spans, a web page of huge ``rowspan``/``colspan``, an .xls merged range over
the whole sheet, a workbook of millions of shared strings. Each must be one
``file-too-large`` row naming the bound, never a damaged file nor a MemoryError.
"""

from __future__ import annotations

import hostile
import pytest

from analysis.ingest import limits as lim
from analysis.ingest.limits import Limits
from analysis.ingest.pipeline import read_one

CASES = {
    "bomb.docx": (lambda: hostile.docx_bomb(300), "uncompresses to 300 MiB"),
    "elements.docx": (lambda: hostile.docx_elements(100), "more than 2,000,000 markup elements"),
    "spans.docx": (lambda: hostile.docx_spans(), "500,000 cells"),
    "spans.html": (lambda: hostile.html_spans(), "500,000 cells"),
    "merged.xls": (lambda: hostile.xls_merged(), "500,000 cells"),
    "strings.xlsx": (lambda: hostile.xlsx_strings(), "more than 2,000,000 markup elements"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_reader_refuses_what_would_pass_a_bound_before_building_it(tmp_path, name):
    make, bound = CASES[name]
    path = tmp_path / name
    path.write_bytes(make())
    assert path.stat().st_size < 600_000  # small on disk: the bound is the expansion
    res = read_one(path, name, Limits(seconds=30))
    assert [p.code for p in res.problems] == ["file-too-large"], res.problems
    assert bound in res.problems[0].message
    assert "the limit" in res.problems[0].message


def test_a_span_is_counted_before_it_is_expanded():
    """A grid of 1,000 rows by 200 columns is refused at a 10,000-cell bound before it is made."""
    from analysis.ingest.grid import expand_spans

    rows = [[("x", 65534, 1000)] for _ in range(1000)]
    with lim.budget(Limits(max_cells=10_000), "t.html"), pytest.raises(lim.LimitExceeded, match="10,000 cells"):
        expand_spans(rows)


def test_a_memory_error_in_a_reader_is_no_damaged_file(tmp_path, monkeypatch):
    import docx

    def boom(*_a, **_k):
        raise MemoryError

    path = tmp_path / "a.docx"
    path.write_bytes(hostile.docx_spans(rows=2, span=2))
    monkeypatch.setattr(docx, "Document", boom)
    res = read_one(path, "a.docx")
    assert [p.code for p in res.problems] == ["file-too-large"]
    assert "memory" in res.problems[0].message
