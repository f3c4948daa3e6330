"""The builder's records against the column registry: a column added to one and not the other
fails here (the places to add an indicator column: docs/architecture.md, "How to add")."""

from __future__ import annotations

import typing

import pytest

from analysis.ingest import vocabulary as vocab
from analysis.ingest.build import PRINTED, IndicatorRow, build_declaration
from analysis.ingest.parse import split_declarations
from analysis.ingest.readers import read_file
from analysis.tables import DECLARATIONS_SCHEMA, INDICATORS_SCHEMA

from seedkit import SEED

#: an annotation of the records -> the Arrow type of its column
_ARROW = {"str": "string", "int": "int32", "float": "double", "bool": "bool"}


@pytest.fixture(scope="module")
def seed_built():
    raws, _ = split_declarations(read_file(SEED, SEED.name)[0].rows, SEED.name)
    return [build_declaration(raw) for raw in raws]


def test_an_indicator_row_has_the_indicators_columns_in_their_order():
    assert IndicatorRow._fields == tuple(INDICATORS_SCHEMA.names)


def test_an_indicator_rows_fields_have_their_columns_types():
    hints = typing.get_type_hints(IndicatorRow)
    for f in INDICATORS_SCHEMA:
        base = {a for a in typing.get_args(hints[f.name]) if a is not type(None)} or {hints[f.name]}
        assert len(base) == 1, f.name
        assert _ARROW[next(iter(base)).__name__] == str(f.type), f"{f.name}: {hints[f.name]} is no {f.type}"


def test_a_declaration_row_has_every_column_of_the_declarations_and_no_other(seed_built):
    for built in seed_built:
        assert list(sorted(built.row)) == sorted(DECLARATIONS_SCHEMA.names)


def test_the_printed_columns_of_the_vocabulary_are_read_by_the_builder():
    """A role of the vocabulary's ``[columns]`` other than the table's structure (weight,
    basis, ...) is carried to the builder; each needs its reading in ``build.PRINTED`` and its
    field in ``IndicatorRow`` (then in the registry, by the test above)."""
    assert set(PRINTED) == set(vocab.PRINTED_COLUMNS)
    assert set(PRINTED) <= set(IndicatorRow._fields)


def test_printed_cells_arrive_in_their_columns(tmp_path):
    from seedkit import ingest_files

    rows = [
        ["财政项目支出绩效目标表（2023年度）"],
        ["项目名称", "测试项目"],
        ["申报单位名称", "测试单位"],
        ["一级指标", "二级指标", "三级指标", "指标值", "分值", "绩效标准"],
        ["产出指标", "数量指标", "完成数量", "≥10个", "20", "计划标准"],
    ]
    r = ingest_files(tmp_path, {"a.txt": "\n".join("\t".join(row) for row in rows) + "\n"}, isolate=False)
    ind = r.indicators.iloc[0]
    assert (ind["weight"], ind["basis"], ind["target_raw"]) == (20.0, "计划标准", "≥10个")
