"""``python -m benchmarks [--quick] [--only NAME ...] [--jobs N] [--corpus DIR] [--corpus-dir DIR] [--work DIR] [--src DIR] [--json FILE]``

Runs the benchmarks and prints a table of ratios against their goals:

- ingest: the ingest of the large generated corpus against the floor (reading, decoding and
  splitting the same files in plain Python), serial against parallel (and the same tables),
  peak memory of the ingest and its workers;
- batch: the report batch against empty notebooks run through papermill (the floor): the sample's
  reports (``generate --sample``), and the first reports of the large corpus projected to all of
  them, with the time per report split by stage; an unchanged re-run;
- unit: one unit's report on the small and on the large corpus (the same unit's data in both);
- incremental: a nightly ingest with 1% of the files new since the last (the others taken from
  the ingest's cache) against a full ingest of the same folder (and the same tables);
- profile: cProfile of a serial ingest of a few thousand files (where the time goes);
- pdf: a budget disclosure of some 300 pages read as one PDF against the per-file time limit
  and 1 GiB, every declaration laid into it found.

Exit status 0 whatever the ratios (a missed goal is a finding, not a failure), 1 when a
benchmark could not run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import bench_batch, bench_incremental, bench_ingest, bench_pdf, bench_unit
from benchmarks.harness import (
    DEFAULT_CORPUS_DIR,
    PYTHON,
    SCALES,
    Report,
    check,
    corpus_counts,
    first_units,
    generated_corpus,
    machine,
    run_measured,
    use_src,
)

BENCHMARKS = ("ingest", "incremental", "batch", "unit", "profile", "pdf")


def parse(argv):
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[2].strip())
    p.add_argument(
        "--quick", action="store_true", help="small scale (about two minutes) instead of the full 100k corpus"
    )
    p.add_argument("--scale", choices=sorted(SCALES), default=None, help=argparse.SUPPRESS)
    p.add_argument("--only", nargs="+", choices=BENCHMARKS, default=None, help="run only these benchmarks")
    p.add_argument("--jobs", type=int, default=None, help="processes for the parallel runs (default 2)")
    p.add_argument(
        "--corpus",
        default=None,
        metavar="DIR",
        help="measure on this corpus (a folder of declaration files, e.g. a 1M-declaration one generated once) instead of the generated one of the scale",
    )
    p.add_argument(
        "--corpus-dir",
        default=str(DEFAULT_CORPUS_DIR),
        help="where generated corpora are kept and reused (default benchmarks/.corpus)",
    )
    p.add_argument(
        "--work",
        default=None,
        help="scratch folder for processed tables and reports (default: a temporary folder, removed afterwards)",
    )
    p.add_argument(
        "--src",
        default=None,
        metavar="DIR",
        help="measure the package in DIR (the src/ of a patched copy of the repository, with notebooks/ beside it) instead of a snapshot of this tree's src/",
    )
    p.add_argument("--json", default=None, metavar="FILE", help="also write the results as JSON")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0915 - one entry running each benchmark in turn, each a few lines; splitting it would scatter the table of them
    args = parse(argv)
    scale = SCALES[args.scale or ("quick" if args.quick else "full")]
    jobs = args.jobs or scale.jobs
    only = set(args.only or BENCHMARKS)
    log = lambda msg: print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)  # noqa: E731
    report = Report(scale.name, machine())
    if args.src:
        report.machine["src"] = str(Path(args.src).resolve())
    m = report.machine
    log(f"scale {scale.name}: {m['nproc']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM, load {m['load_avg']}")

    keep = args.work is not None
    work = Path(args.work) if keep else Path(tempfile.mkdtemp(prefix="bench-"))
    work.mkdir(parents=True, exist_ok=True)
    # measure a snapshot of the code: in a working tree that others edit, a change to a report
    # module between two runs would (rightly) invalidate the report cache and spoil the re-run
    use_src(args.src or snapshot(work / "tree"))
    started = time.perf_counter()
    try:
        if only - {"pdf"}:  # (the PDF benchmark makes its own file)
            large_raw = (
                Path(args.corpus)
                if args.corpus
                else generated_corpus(Path(args.corpus_dir), scale.units, scale.years, scale.seed, scale.quirks, log)
            )
            counts = corpus_counts(large_raw)
            report.details["corpus"] = {"path": str(large_raw), **counts}
            large = None
            if "ingest" in only:
                large = bench_ingest.run(large_raw, work / "large", jobs, report, log)
            if "incremental" in only:
                bench_incremental.run(large_raw, work / "incremental", jobs, report, log)
            small_raw = first_units(large_raw, scale.small_units, work / "small-raw")
            small = work / "small-processed"
            if "unit" in only:
                shutil.rmtree(small, ignore_errors=True)
                check(run_measured(bench_ingest.ingest_cmd(small_raw, small, jobs)), "the ingest of the small corpus")
            if only & {"batch", "unit"} and large is None:
                large = work / "large" / "processed-parallel"
                log("ingesting the large corpus first ...")
                check(run_measured(bench_ingest.ingest_cmd(large_raw, large, jobs)), "the ingest of the large corpus")
            if "batch" in only:
                bench_batch.run_sample(work / "batch", jobs, report, log)
                bench_batch.run_large(large, work / "batch", jobs, scale.batch_units, scale.empty_runs, report, log)
            if "unit" in only:
                bench_unit.run(small, large, work, scale.unit_repeats, report, log)
        if "pdf" in only:
            bench_pdf.run(work / "pdf", scale.pdf_pages, report, log)
        if "profile" in only:
            log(f"profile: cProfile of a serial ingest of {scale.profile_files} files ...")
            r = check(
                run_measured(
                    [
                        PYTHON,
                        "-m",
                        "benchmarks.profile_ingest",
                        str(large_raw),
                        str(scale.profile_files),
                        str(work / "profile"),
                    ]
                ),
                "the profiled ingest",
            )
            prof = json.loads(r.stdout.strip().splitlines()[-1])
            report.details["profile"] = prof
            report.notes.append(_profile_text(prof))
    except Exception as exc:  # noqa: BLE001
        print(report.table(), file=sys.stdout)
        print(f"\nbenchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)

    report.details["total_seconds"] = round(time.perf_counter() - started, 1)
    print()
    print(
        f"Benchmarks ({scale.name} scale): {m['nproc']} cores, {m['cpu']}, {m['ram_gib']} GiB RAM, "
        f"Python {m['python']}, load average at start {m['load_avg']}, {m['date_utc']}"
        + (f"; package from {m['src']}" if args.src else "")
    )
    c = report.details.get("corpus")
    if c:
        print(
            f"Corpus: {c.get('declarations', '?'):,} declarations, {c.get('indicators', '?'):,} indicators, "
            f"{c.get('files', '?'):,} files, {c.get('bytes', 0) / 1e6:.0f} MB ({Path(c['path']).name})"
        )
    print()
    print(report.table())
    for note in report.notes:
        print()
        print(note)
    print(f"\n({report.details['total_seconds']:.0f} s in all)")
    if args.json:
        Path(args.json).write_text(report.to_json(), encoding="utf-8")
    return 0


def snapshot(dest: Path) -> Path:
    """Copy ``src/`` and ``notebooks/`` to ``dest``; returns ``dest/src``."""
    from benchmarks.harness import ROOT

    shutil.rmtree(dest, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".ipynb_checkpoints")
    shutil.copytree(ROOT / "src", dest / "src", ignore=ignore)
    shutil.copytree(ROOT / "notebooks", dest / "notebooks", ignore=ignore)
    return dest / "src"


def _profile_text(prof: dict) -> str:
    lines = [
        f"Profile: serial ingest of {prof['files']} files ({prof['declarations']:,} declarations, "
        f"{prof['indicators']:,} indicators) in {prof['seconds_profiled']:.1f} s under cProfile; "
        f"top functions by own time:"
    ]
    for row in prof["by_tottime"]:
        share = 100 * row["tottime"] / prof["total_tottime"] if prof["total_tottime"] else 0
        lines.append(f"  {share:5.1f}%  {row['tottime']:7.2f} s  {row['calls']:>9,}  {row['function']}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
