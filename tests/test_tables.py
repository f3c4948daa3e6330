"""The column registry (analysis.tables): one definition per name, every derived frame and sheet
made of registered columns, no two columns of one table under the same heading."""

from __future__ import annotations

import pyarrow as pa
import pytest

from analysis import tables
from analysis.errors import AnalysisError


def test_a_name_defined_twice_is_refused():
    twice = [tables._c("x", pa.string(), "甲", "first"), tables._c("x", pa.string(), "乙", "second")]
    with pytest.raises(tables.RegistryError, match="'x' is defined twice"):
        tables._registry(twice, "column")
    assert issubclass(tables.RegistryError, AnalysisError)


def test_an_unknown_display_format_is_refused():
    with pytest.raises(tables.RegistryError, match="unknown display format"):
        tables._c("x", pa.string(), "甲", "meaning", "percentish")


def test_the_review_description_and_the_problem_meaning_are_two_columns():
    assert tables.heading("description") == "规则说明"
    assert tables.heading("code_meaning") == "问题说明"


@pytest.mark.parametrize("frame", sorted(tables.FRAMES))
def test_every_column_of_a_derived_frame_is_registered_once(frame):
    cols = tables.FRAMES[frame]
    assert len(cols) == len(set(cols)), f"{frame} lists a column twice"
    assert not set(cols) - set(tables.ALL), sorted(set(cols) - set(tables.ALL))


@pytest.mark.parametrize("sheet", sorted(tables.SHEETS))
def test_every_column_of_a_sheet_is_registered(sheet):
    _, cols = tables.SHEETS[sheet]
    cols = cols or [c.name for c in tables.TABLE_COLUMNS[sheet]]
    assert not set(cols) - set(tables.ALL), sorted(set(cols) - set(tables.ALL))


def _tables_shown():
    yield from ((name, [c.name for c in cols]) for name, cols in tables.TABLE_COLUMNS.items())
    yield from tables.FRAMES.items()
    yield from ((name, cols) for name, (_, cols) in tables.SHEETS.items() if cols)


@pytest.mark.parametrize(("name", "columns"), list(_tables_shown()), ids=lambda v: v if isinstance(v, str) else "")
def test_no_two_columns_of_one_table_share_a_heading(name, columns):
    headings: dict[str, str] = {}
    for col in columns:
        h = tables.heading(col)
        assert h not in headings, f"{name}: {col} and {headings[h]} are both headed {h}"
        headings[h] = col
