"""What every benchmark shares: scales, the corpus cache, measured subprocess runs, the machine."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS_DIR = ROOT / "benchmarks" / ".corpus"
PYTHON = sys.executable
#: environment of every measured subprocess; ``python -m benchmarks --src DIR`` puts DIR first on
#: PYTHONPATH so that a patched copy of ``src/`` is measured the same way as the working tree
ENV: dict | None = None


def use_src(src: str | os.PathLike | None) -> None:
    global ENV
    if src is None:
        ENV = None
        return
    ENV = dict(os.environ)
    ENV["PYTHONPATH"] = os.pathsep.join(
        [str(Path(src).resolve()), str(ROOT)] + ([ENV["PYTHONPATH"]] if ENV.get("PYTHONPATH") else [])
    )


@dataclass(frozen=True)
class Scale:
    """How big each benchmark runs."""

    name: str
    units: int  # units of the large generated corpus
    years: tuple[int, int]  # its years
    small_units: int  # units of the small corpus (the first ones of the large corpus)
    batch_units: int  # unit reports of the large corpus in the batch benchmark (the first ones), projected to all
    empty_runs: int  # empty notebook runs measured for the floor of the large corpus's batch (before and after)
    unit_repeats: int  # runs of the one-unit report on each corpus
    profile_files: int  # files in the profiled ingest
    jobs: int = 2
    pdf_pages: int = 300  # pages of the budget disclosure read as one PDF
    seed: int = 1
    quirks: float = 0.05


SCALES = {
    # about 100,000 declarations (2,000 units x 10 years); the small corpus about 1,000
    "full": Scale("full", 2000, (2015, 2024), 20, 200, 20, 3, 3000),
    # about 5,000 declarations; finishes in about four minutes
    "quick": Scale("quick", 100, (2015, 2024), 4, 20, 6, 1, 500),
    # a smoke run for the test suite
    "tiny": Scale("tiny", 6, (2022, 2023), 2, 2, 2, 1, 4, pdf_pages=20),
}


def corpus_key(units: int, years: tuple[int, int], seed: int, quirks: float) -> str:
    return f"u{units}-y{years[0]}-{years[1]}-s{seed}-q{quirks:g}"


def generated_corpus(cache: Path, units: int, years: tuple[int, int], seed: int, quirks: float, log=print) -> Path:
    """A generated corpus, made once per set of generator parameters and reused afterwards.

    The folder is ``cache/u{units}-y{A}-{B}-s{seed}-q{quirks}``; a ``.bench-complete`` marker
    (written last, holding the parameters) tells a finished corpus from an interrupted one.
    """
    out = cache / corpus_key(units, years, seed, quirks)
    marker = out / ".bench-complete"
    params = {"units": units, "years": list(years), "seed": seed, "quirks": quirks}
    if marker.exists() and json.loads(marker.read_text()).get("params") == params:
        log(f"corpus: reusing {out}")
        return out
    if out.exists():
        shutil.rmtree(out)
    cache.mkdir(parents=True, exist_ok=True)
    log(f"corpus: generating {out.name} (made once, then reused) ...")
    t0 = time.perf_counter()
    cmd = [
        PYTHON,
        "-m",
        "analysis",
        "generate",
        "--out",
        str(out),
        "--units",
        str(units),
        "--years",
        f"{years[0]}-{years[1]}",
        "--seed",
        str(seed),
        "--quirks",
        str(quirks),
    ]
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    manifest = json.loads((out / "answer_key" / "manifest.json").read_text())
    marker.write_text(
        json.dumps(
            {"params": params, "counts": manifest.get("counts", {}), "seconds": round(time.perf_counter() - t0, 1)}
        )
    )
    return out


def corpus_counts(corpus: Path) -> dict:
    marker = corpus / ".bench-complete"
    if marker.exists():
        return json.loads(marker.read_text()).get("counts", {})
    manifest = corpus / "answer_key" / "manifest.json"  # a corpus generated outside the benchmarks
    if manifest.exists():
        return json.loads(manifest.read_text()).get("counts", {})
    return {}


def first_units(corpus: Path, n_units: int, out: Path) -> Path:
    """A corpus made of the files of the first ``n_units`` units of ``corpus`` (hard links).

    The generator names files ``YEAR/uNNNN_YEAR.txt``: the unit is the part before ``_``.
    The same unit's declarations are then byte for byte the same in both corpora.
    """
    files = sorted(p for p in corpus.rglob("*.txt") if "answer_key" not in p.parts)
    units = sorted({p.name.split("_")[0] for p in files})[:n_units]
    wanted = set(units)
    if out.exists():
        shutil.rmtree(out)
    n = 0
    for p in files:
        if p.name.split("_")[0] in wanted:
            target = out / p.relative_to(corpus)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(p, target)
            except OSError:
                shutil.copy2(p, target)
            n += 1
    return out


# ----------------------------------------------------------------------------- measured runs


@dataclass
class Run:
    """One measured subprocess: wall time, peak memory, output."""

    cmd: list[str]
    seconds: float
    peak_rss: int  # bytes: largest sum of RSS over the process and all its descendants (sampled)
    max_process_rss: int  # bytes: largest RSS of any one process of the tree
    returncode: int
    stdout: str = ""
    stderr: str = ""
    samples: int = 0
    cpu_seconds: float = 0.0  # user + system time of the process and the children it waited for


def run_measured(cmd: list[str], cwd: Path = ROOT, interval: float = 0.05, env: dict | None = None) -> Run:
    """Run ``cmd``, sampling the RSS of its whole process tree every ``interval`` seconds.

    With psutil (a dependency of distributed, so present) the peak is the sum over the
    process and its workers at the same instant; without it, the peak is the largest single
    process from ``getrusage(RUSAGE_CHILDREN)``.
    """
    import resource
    import tempfile

    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with distributed
        psutil = None
    out_f = tempfile.TemporaryFile()
    err_f = tempfile.TemporaryFile()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=out_f, stderr=err_f, env=env if env is not None else ENV)
    peak = max_one = samples = 0
    if psutil is not None:
        try:
            root = psutil.Process(proc.pid)
        except psutil.Error:
            root = None
        while proc.poll() is None and root is not None:
            total = 0
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                procs = []
            for p in procs:
                try:
                    rss = p.memory_info().rss
                except psutil.Error:
                    continue
                total += rss
                max_one = max(max_one, rss)
            peak = max(peak, total)
            samples += 1
            time.sleep(interval)
    proc.wait()
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    ru = after.ru_maxrss * 1024  # KiB on Linux
    if psutil is None:
        peak = max_one = ru
    out_f.seek(0)
    err_f.seek(0)
    return Run(
        cmd,
        seconds,
        peak,
        max_one,
        proc.returncode,
        out_f.read().decode("utf-8", "replace"),
        err_f.read().decode("utf-8", "replace"),
        samples,
        cpu,
    )


def check(run: Run, what: str) -> Run:
    if run.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {run.returncode}): {' '.join(run.cmd)}\n{run.stderr[-3000:]}")
    return run


# ----------------------------------------------------------------------------- results


@dataclass
class Result:
    """One line of the table: a measured ratio against its goal."""

    benchmark: str
    measured: float
    goal: float | None
    unit: str = "x"  # "x" for a ratio, "s" for seconds, "GiB" for memory
    detail: str = ""
    higher_is_better: bool = False

    @property
    def ok(self) -> bool | None:
        if self.goal is None:
            return None
        return self.measured >= self.goal if self.higher_is_better else self.measured <= self.goal

    def verdict(self) -> str:
        if self.ok is None:
            return "info"
        if self.ok:
            return "ok"
        miss = self.measured / self.goal if self.goal else float("inf")
        return f"MISS ({miss:.2f}x the goal)"


@dataclass
class Report:
    scale: str
    machine: dict
    results: list[Result] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)

    def add(self, *results: Result) -> None:
        self.results.extend(results)

    def table(self) -> str:
        def fmt(v: float | None, unit: str) -> str:
            if v is None:
                return "-"
            if unit == "x":
                return f"{v:.2f}x"
            if unit == "s":
                return f"{v:.1f} s"
            if unit == "GiB":
                return f"{v:.2f} GiB"
            if unit == "same":
                return "yes" if v else "no"
            return f"{v:g} {unit}"

        rows = [("benchmark", "measured", "goal", "verdict", "detail")]
        for r in self.results:
            goal = "-" if r.goal is None else ("≥ " if r.higher_is_better else "≤ ") + fmt(r.goal, r.unit)
            rows.append((r.benchmark, fmt(r.measured, r.unit), goal, r.verdict(), r.detail))
        widths = [max(_width(row[i]) for row in rows) for i in range(4)]
        lines = []
        for i, row in enumerate(rows):
            cells = [row[j] + " " * (widths[j] - _width(row[j])) for j in range(4)] + [row[4]]
            lines.append("  ".join(cells).rstrip())
            if i == 0:
                lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 6)
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(
            {
                "scale": self.scale,
                "machine": self.machine,
                "results": [asdict(r) | {"ok": r.ok} for r in self.results],
                "notes": self.notes,
                "details": self.details,
            },
            ensure_ascii=False,
            indent=2,
            default=str,
        )


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def machine() -> dict:
    """nproc, CPU model, RAM, load: the figures a measurement must be read with."""
    info = {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": platform.processor() or platform.machine(),
        "ram_gib": None,
        "python": platform.python_version(),
        "load_avg": None,
        "date_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["ram_gib"] = round(int(line.split()[1]) / 1024**2, 1)
                break
    except OSError:
        pass
    try:
        info["load_avg"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    return info


def gib(n_bytes: int) -> float:
    return n_bytes / 1024**3


def median(values: list[float]) -> float:
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
