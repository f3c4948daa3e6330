"""The whole run: a folder of published-style files, good and broken, into the three tables."""

import subprocess
import sys

import pandas as pd
import pytest

from analysis import cli
from analysis.ingest import format_summary, ingest
from analysis.problems import CODES

import seedkit as kit

FILE_LEVEL = {"empty-file", "undecodable", "unreadable-file", "unsupported-format", "no-declaration", "parse-failed"}


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory):
    files, expected = kit.fixture_set()
    raw = kit.write(tmp_path_factory.mktemp("set") / "raw", files)
    out = tmp_path_factory.mktemp("processed")
    return ingest(raw, out), expected, raw, out


def test_the_ledger_reconciles_over_the_fixture_set(fixture_run):
    r, expected, _, _ = fixture_run
    s = r.summary
    for key, value in expected.items():
        assert s[key] == value, key
    assert s["ledger_ok"]
    assert (
        s["declarations_found"]
        == s["declarations"] + s["dropped_missing_field"] + s["dropped_repeats"] + s["dropped_conflicts"]
    )
    assert len(r.declarations) == s["declarations"] and len(r.indicators) == s["indicators"]
    assert s["errors"] == sum(n for c, n in expected["problems_by_code"].items() if CODES[c][0] == "error")


def test_well_formed_declarations_around_the_broken_files_are_all_there(fixture_run):
    r = fixture_run[0]
    got = sorted(zip(r.declarations["year"], r.declarations["project"]))
    assert got == sorted(
        [(2020, kit.P1), (2020, kit.P2), (2021, kit.P1), (2021, kit.P2), (2019, kit.P1), (2018, kit.P1), (2022, kit.P1)]
    )
    assert r.declarations["decl_id"].is_unique
    # every indicator belongs to a kept declaration, numbered from 1 in each
    assert set(r.indicators["decl_id"]) == set(r.declarations["decl_id"])
    counts = r.indicators.groupby("decl_id")["seq"].agg(["min", "max", "count"])
    assert (counts["min"] == 1).all() and (counts["max"] == counts["count"]).all()
    n = r.declarations.set_index("decl_id")["n_indicators"]
    assert (n.sort_index() == counts["count"].sort_index()).all()


def test_every_problem_says_where(fixture_run):
    p = fixture_run[0].problems
    assert set(p["severity"]) <= {"error", "warning"}
    assert (p["severity"] == p["code"].map(lambda c: CODES[c][0])).all()
    for row in p.itertuples():
        assert row.message.startswith(row.source_file), row.message
        # every fault says where: the line (for a whole file, where reading stopped)
        assert not pd.isna(row.source_line) and f"line {int(row.source_line)}" in row.message, row.message
    lines = p.set_index("source_file")["source_line"]
    assert lines["broken/empty.txt"] == 1 and lines["broken/notes.txt"] == 1 and lines["broken/old.doc"] == 1
    # a problem inside a kept or dropped declaration carries its id; a file-level one none
    assert p.loc[p["code"].isin(FILE_LEVEL), "decl_id"].isna().all()
    assert p.loc[p["code"].isin({"bad-target", "truncated-table", "year-over-total"}), "decl_id"].notna().all()


def test_the_cut_off_table_keeps_its_complete_rows(fixture_run):
    r = fixture_run[0]
    d = r.declarations.set_index("year").loc[2019]
    ind = r.indicators[r.indicators["decl_id"] == d["decl_id"]]
    assert ind["name"].tolist()[-1] == "对保障绿化" and ind["target_raw"].isna().tolist()[-1]
    assert ind["target_raw"].notna().sum() == 6  # the six rows before the cut


def test_duplicates_name_both_files_and_conflicts_report_both_sides(fixture_run):
    p = fixture_run[0].problems
    dup = p[p["code"] == "duplicate-declaration"]
    assert len(dup) == 2
    for msg in dup["message"]:
        assert "2020/seed.txt" in msg and "2020/copy/seed_unicode.txt" in msg
    conf = p[p["code"] == "conflicting-declaration"]
    assert sorted(conf["source_file"]) == ["2021/revised.txt", "2021/unit_gbk.txt"]
    assert conf["decl_id"].nunique() == 1 and all(
        "2021/revised.txt" in m and "2021/unit_gbk.txt" in m for m in conf["message"]
    )


def test_summary_text(fixture_run):
    text = format_summary(fixture_run[0].summary)
    assert "核对：发现申报表 11 份 = 导入 7 + 缺少必填项 1 + 重复 2 + 冲突 1 + 失败 0" in text
    assert "对不上" not in text
    assert "  错误  undecodable" in text and "文件内容不是任何支持编码的文本" in text  # a code with its meaning


def test_summary_text_in_english(fixture_run, english):
    text = format_summary(fixture_run[0].summary)
    assert "11 declarations found = 7 ingested + 1 missing a required field + 2 repeats + 1 conflicts" in text
    assert "DOES NOT RECONCILE" not in text and "核对" not in text


def test_parallel_reading_gives_the_same_tables(tmp_path):
    # 70 files: enough for the process pool to be used
    files = {f"u{i:02d}.txt": kit.join(kit.with_year(kit.DECL1, 1950 + i), kit.DECL2) for i in range(70)}
    raw = kit.write(tmp_path / "raw", files)
    one, two = ingest(raw, jobs=1), ingest(raw, jobs=2)
    for name in ("declarations", "indicators", "problems"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(two, name))
    assert one.summary["declarations"] == 71 and one.summary["dropped_repeats"] == 69


# ---------------------------------------------------------------------------------------------
# the command


def test_cli_exits_0_on_bad_input_and_prints_the_ledger(fixture_run, tmp_path, capsys):
    _, _, raw, _ = fixture_run
    out = tmp_path / "out"
    assert cli.main(["ingest", str(raw), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "核对：发现申报表 11 份" in text and "错误  undecodable" in text
    # the tables, the manifest that makes them one set, the publishers' lock, the run lock (let
    # go of: empty), the cache of the files read (the next ingest reads only what changed); no
    # staging folder left
    assert sorted(p.name for p in out.iterdir()) == [
        ".ingest.cache",
        ".ingest.lock",
        ".run.lock",
        "declarations.parquet",
        "indicators.parquet",
        "manifest.json",
        "problems.parquet",
    ]


def test_cli_missing_folder(tmp_path, capsys):
    assert cli.main(["ingest", str(tmp_path / "nope"), "--out", str(tmp_path / "out")]) != 0
    err = capsys.readouterr().err
    assert "nope" in err and "没有这个存放申报表文件的文件夹" in err
    assert not (tmp_path / "out").exists()
    one = kit.write(tmp_path / "raw", {"a.txt": kit.join(kit.DECL1)}) / "a.txt"
    assert cli.main(["ingest", str(one), "--out", str(tmp_path / "out")]) == 2
    assert "是文件而不是文件夹" in capsys.readouterr().err
    assert cli.main(["--lang", "en", "ingest", str(one), "--out", str(tmp_path / "out")]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


def test_the_same_files_ingested_twice_have_the_same_content_hash(tmp_path):
    """The report cache keys on what the tables hold: each ingest writes its own run id into the
    files, which must not make an unchanged ``make reports`` render everything again."""
    from analysis.publish import sha256
    from analysis.reports.cache import data_hashes

    raw = kit.write(tmp_path / "raw", {"a.txt": kit.join(kit.DECL1), "b.txt": kit.join(kit.DECL2)})
    for out in ("one", "two"):
        assert cli.main(["ingest", str(raw), "--out", str(tmp_path / out), "--jobs", "1"]) == 0
    one, two = data_hashes(tmp_path / "one"), data_hashes(tmp_path / "two")
    assert set(one) == {"declarations", "indicators", "problems"} and one == two
    assert sha256(tmp_path / "one" / "problems.parquet") != sha256(tmp_path / "two" / "problems.parquet")
    (raw / "b.txt").unlink()
    assert cli.main(["ingest", str(raw), "--out", str(tmp_path / "two"), "--jobs", "1"]) == 0
    changed = data_hashes(tmp_path / "two")
    assert changed["declarations"] != one["declarations"] and changed["indicators"] != one["indicators"]


def test_cli_out_dir_that_cannot_be_written(fixture_run, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert cli.main(["ingest", str(fixture_run[2]), "--out", str(blocker / "out")]) != 0
    assert "无法把数据表写入" in capsys.readouterr().err
    assert cli.main(["ingest", str(fixture_run[2]), "--out", str(blocker / "out"), "--lang", "en"]) != 0
    assert "cannot write" in capsys.readouterr().err


def test_cli_as_a_process(tmp_path, english):
    raw = kit.write(tmp_path / "raw", {"seed.txt": kit.SEED.read_bytes(), "junk.txt": b"\x00\x01\x02" * 300})
    ok = subprocess.run(
        [sys.executable, "-m", "analysis", "ingest", str(raw), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0 and "2 ingested" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "analysis", "ingest", str(tmp_path / "missing")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode != 0 and "missing" in bad.stderr and "Traceback" not in bad.stderr


def test_a_failed_run_leaves_the_previous_tables(fixture_run, tmp_path, monkeypatch, capsys):
    _, _, raw, _ = fixture_run
    out = tmp_path / "out"
    first = ingest(raw, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    import analysis.ingest.pipeline as ing

    def disk_full(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ing.pq, "write_table", disk_full)
    assert cli.main(["ingest", str(raw), "--out", str(out)]) != 0
    assert "No space left" in capsys.readouterr().err
    assert (out / ".run.lock").read_text() == ""  # the command's run lock, let go of
    (out / ".run.lock").unlink()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no staging left either
    assert first.summary["declarations"] == 7


def test_a_file_that_breaks_the_parser_does_not_stop_the_run(tmp_path, monkeypatch):
    import analysis.ingest.file as ing

    real = ing.split_declarations

    def fragile(rows, rel, sheet=None):
        if rel == "b.txt":
            raise IndexError("list index out of range")
        return real(rows, rel, sheet)

    monkeypatch.setattr(ing, "split_declarations", fragile)
    r = kit.ingest_files(tmp_path, {"a.txt": kit.join(kit.DECL1), "b.txt": kit.join(kit.DECL2)})
    assert r.declarations["project"].tolist() == [kit.P1]
    p = r.problems.set_index("code").loc["parse-failed"]
    assert p["source_file"] == "b.txt" and "IndexError" in p["message"] and p["severity"] == "error"


def test_the_problem_codes_table_in_the_docs_agrees_with_the_registry():
    doc = (kit.ROOT / "docs" / "formats.md").read_text("utf-8")
    for code, (severity, meaning) in CODES.items():
        assert f"| `{code}` | {severity} | {meaning} |" in doc, code


def test_text_budget_checks_this_years_figure_only(tmp_path):
    # last year's budget named in the plan is no disagreement; this year's is checked
    block = kit.replace(kit.DECL1, "本项目的预算经费为140.64万元", "上年预算为129.61万元，本项目的预算经费为140.64万元")
    r = kit.ingest_files(tmp_path, {"a.txt": kit.join(block)})
    assert r.problems.empty
    block = kit.replace(kit.DECL1, "本项目的预算经费为140.64万元", "上年预算为129.61万元，本项目的预算经费为150万元")
    r = kit.ingest_files(tmp_path / "b", {"a.txt": kit.join(block)})
    assert r.problems["code"].tolist() == ["text-budget-mismatch"]
    assert "1,500,000.00" in r.problems["message"].iloc[0]


# ---------------------------------------------------------------------------------------------
# parts, the merge, the cluster


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A small generated corpus (five layouts, quirks) with a copy of one year's files: repeats to drop."""
    import shutil

    from analysis.synthetic.corpus import Params, generate

    raw = tmp_path_factory.mktemp("gen") / "raw"
    generate(raw, Params(units=8, years=(2020, 2022), seed=4, quirks=0.3))
    shutil.copytree(raw / "2021", raw / "2021-copy")
    return raw


def test_the_tables_are_ordered_by_year_and_unit_in_row_groups_of_one_year(generated, tmp_path):
    import pyarrow.parquet as pq

    r = ingest(generated, tmp_path / "out", jobs=1)
    assert r.summary["dropped_repeats"] > 0 and r.summary["ledger_ok"]
    for name in ("declarations", "indicators"):
        table = pq.read_table(tmp_path / "out" / f"{name}.parquet")
        keys = list(zip(table.column("year").to_pylist(), table.column("unit").to_pylist()))
        assert keys == sorted(keys), name
        meta = pq.ParquetFile(tmp_path / "out" / f"{name}.parquet").metadata
        for g in range(meta.num_row_groups):
            stats = meta.row_group(g).column(table.schema.get_field_index("year")).statistics
            assert stats.min == stats.max, f"{name}: row group {g} spans {stats.min}-{stats.max}"
    # the file order within a unit and year: declarations by line within their file
    d = r.declarations
    for _, g in d.groupby(["year", "unit", "source_file"], sort=False):
        assert list(g["source_line"]) == sorted(g["source_line"])


def test_a_merge_in_small_batches_gives_the_same_table(generated, tmp_path):
    import pyarrow.parquet as pq

    from analysis.ingest import limits
    from analysis.ingest.listing import list_files
    from analysis.ingest.parts import merge_parts, read_chunk
    from analysis.tables import INDICATORS_SCHEMA

    parts = tmp_path / "parts"
    parts.mkdir()
    items = [(str(p), rel) for p, rel in list_files(generated).files]
    names = []
    for s in range(0, len(items), 7):  # parts of 7 files, sorted each on its own
        chunk = [(s + i, p, rel) for i, (p, rel) in enumerate(items[s : s + 7])]
        names.append(read_chunk(chunk, limits.DEFAULT, str(parts))[0].part)
    names = [n for n in dict.fromkeys(names) if n]
    whole, small = tmp_path / "whole.parquet", tmp_path / "small.parquet"
    n1 = merge_parts(parts, names, "indicators", whole, INDICATORS_SCHEMA, set(), 100)
    n2 = merge_parts(parts, names, "indicators", small, INDICATORS_SCHEMA, set(), 100, batch_rows=1)
    assert n1 == n2 > 1_000
    assert pq.read_table(whole).equals(pq.read_table(small))
    assert pq.ParquetFile(small).metadata.num_row_groups >= n2 // 100


def test_in_process_worker_processes_and_a_dask_cluster_give_the_same_tables(generated, tmp_path):
    from dask.distributed import LocalCluster

    serial = ingest(generated, tmp_path / "serial", jobs=1, isolate=False)
    workers = ingest(generated, tmp_path / "workers", jobs=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        remote = ingest(generated, tmp_path / "dask", jobs=2, scheduler=cluster.scheduler_address)
    for name in ("declarations", "indicators", "problems"):
        pd.testing.assert_frame_equal(getattr(serial, name), getattr(workers, name))
        pd.testing.assert_frame_equal(getattr(serial, name), getattr(remote, name))
    assert serial.summary == {**remote.summary, "seconds": serial.summary["seconds"]}
    assert not list((tmp_path / "dask").glob("*staging*")) and not list((tmp_path / "dask").rglob("*.parquet.tmp"))


def test_a_file_alone_in_its_chunk_whose_declaration_has_no_indicator_table(tmp_path):
    # read by a worker in a chunk of one file: the chunk's part holds a declaration and no indicator
    text = kit.join(kit.DECL1[: kit.line_index(kit.DECL1, "一级目标")])
    r = kit.ingest_files(tmp_path, {"no-table.txt": text})
    assert len(r.declarations) == 1 and r.indicators.empty
    assert r.problems.code.tolist() == ["no-indicators"], r.problems.to_string()
    assert r.summary["ledger_ok"] and r.summary["files_failed"] == {}


# ----------------------------------------------------------------------------- the ledger, made to fail


def _two_seed_files(tmp_path):
    from seedkit import SEED

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_bytes(SEED.read_bytes())
    (raw / "b.txt").write_bytes(SEED.read_bytes().replace(b"2020", b"2021"))
    return raw


def test_the_ledger_fails_when_a_file_yields_nothing_and_reports_nothing(tmp_path, monkeypatch):
    from analysis.ingest import file as file_mod
    from analysis.ingest import ingest

    raw = _two_seed_files(tmp_path)
    honest = ingest(raw, isolate=False)
    assert honest.summary["ledger_ok"] and honest.summary["files_unexplained"] == 0
    real = file_mod.read_declarations

    def silent(path, rel):
        return file_mod.FileResult(rel) if rel == "b.txt" else real(path, rel)

    monkeypatch.setattr(file_mod, "read_declarations", silent)
    s = ingest(raw, isolate=False).summary
    assert s["files_unexplained"] == 1 and not s["ledger_ok"]


def test_the_ledger_fails_when_a_found_declaration_is_neither_kept_nor_dropped(tmp_path, monkeypatch):
    from analysis.ingest import file as file_mod
    from analysis.ingest import ingest

    raw = _two_seed_files(tmp_path)
    real = file_mod.read_declarations

    def loses_one(path, rel):
        res = real(path, rel)
        if rel == "b.txt":
            res.found += 1  # one more found than its rows account for
        return res

    monkeypatch.setattr(file_mod, "read_declarations", loses_one)
    s = ingest(raw, isolate=False).summary
    assert s["files_unexplained"] == 0 and not s["ledger_ok"]
