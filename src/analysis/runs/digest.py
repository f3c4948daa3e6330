"""What changed between two sets of processed tables, and between two renderings of the reports.

:func:`table_changes` compares the tables a run is about to publish with those it replaces:
declarations new, changed (with the columns that differ; ``indicators`` when their indicators
do) and removed, problems new, review failures new (:func:`analysis.metrics.review`).
:func:`report_changes` compares the cache stamps of the reports before and after the batch
(each stamp holds the hash of its HTML). :func:`format_digest` says it all in a few lines fit
for a mail (``run.txt``).
"""

from __future__ import annotations

from pathlib import Path

from analysis.columns import heading
from analysis.messages import _, pick
from analysis.problems import chinese_message

#: lines listed per section of the digest (run.json holds up to LISTED of each)
SHOWN = 20
LISTED = 1000

_WHAT = ("unit", "year", "project")


def _frames(folder: Path):
    """The tables of ``folder`` as one set (declarations linked to their projects)."""
    import analysis

    return analysis.load(folder)


def _row_hashes(frame, by: str):
    """One 64-bit hash per ``by`` value of the content of its rows (``source_*`` columns and row
    order within the value left out)."""
    import pandas as pd

    cols = [c for c in frame.columns if not c.startswith("source_") and c not in ("project_id",)]
    if frame.empty:
        return pd.Series(dtype="uint64")
    h = pd.util.hash_pandas_object(frame[cols].astype(object).where(frame[cols].notna(), None), index=False)
    return h.groupby(frame[by].to_numpy()).sum()


def _label(row) -> str:
    return f"{row['unit']} / {row['year']} / {row['project']}"


def _declaration_changes(old, new) -> dict:
    od = old.declarations.set_index("decl_id", drop=False)
    nd = new.declarations.set_index("decl_id", drop=False)
    added = [i for i in nd.index if i not in od.index]
    removed = [i for i in od.index if i not in nd.index]
    both = nd.index.intersection(od.index)
    oh, nh = _row_hashes(old.declarations, "decl_id"), _row_hashes(new.declarations, "decl_id")
    oi, ni = _row_hashes(old.indicators, "decl_id"), _row_hashes(new.indicators, "decl_id")
    changed = []
    for i in both:
        fields = []
        if oh.get(i) != nh.get(i):
            a, b = od.loc[i], nd.loc[i]
            fields = [
                c
                for c in nd.columns
                if c in od.columns and not c.startswith("source_") and c != "project_id" and not _same(a[c], b[c])
            ]
        if oi.get(i) != ni.get(i):
            fields.append("indicators")
        if fields:
            changed.append((i, fields))

    def entry(frame, i, **more) -> dict:
        r = frame.loc[i]
        return {"decl_id": i, "what": _label(r), "file": r["source_file"], **more}

    return {
        "new": [entry(nd, i) for i in added[:LISTED]],
        "changed": [entry(nd, i, fields=f) for i, f in changed[:LISTED]],
        "removed": [entry(od, i) for i in removed[:LISTED]],
        "counts": {"new": len(added), "changed": len(changed), "removed": len(removed)},
    }


def _same(a, b) -> bool:
    import pandas as pd

    if pd.isna(a) if not isinstance(a, (list, tuple)) else False:
        return bool(pd.isna(b)) if not isinstance(b, (list, tuple)) else False
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return str(a) == str(b)


def _problem_changes(old, new) -> dict:
    key = ["source_file", "code", "message"]
    before = set(map(tuple, old.problems[key].astype(str).to_numpy().tolist()))
    rows = new.problems
    fresh = [r for r in rows.to_dict("records") if (str(r["source_file"]), r["code"], r["message"]) not in before]
    fresh.sort(key=lambda r: (r["severity"] != "error", str(r["source_file"]), r["code"]))
    counts = {}
    for r in fresh:
        counts[r["severity"]] = counts.get(r["severity"], 0) + 1
    listed = [{k: r[k] for k in ("severity", "code", "source_file", "message")} for r in fresh[:LISTED]]
    return {"new": listed, "counts": counts}


def review_failures(ds) -> dict[tuple[str, str], dict]:
    """The failed rules of every declaration: (decl_id, rule) -> what and rule."""
    from analysis import metrics

    review = metrics.review(ds.declarations, ds.indicators, problems=ds.problems)
    fails = review[review["outcome"] == "fail"]
    d = ds.declarations.set_index("decl_id")
    out = {}
    for r in fails.itertuples(index=False):
        if r.decl_id in d.index:
            out[(r.decl_id, r.rule)] = {"decl_id": r.decl_id, "what": _label(d.loc[r.decl_id]), "rule": r.rule}
    return out


def table_changes(old_dir: Path | None, new_dir: Path) -> dict:
    """What the tables in ``new_dir`` hold that those in ``old_dir`` did not (``old_dir`` None
    or without tables: a first run, counted only)."""
    new = _frames(new_dir)
    if old_dir is None or not (Path(old_dir) / "declarations.parquet").exists():
        return {"first": True, "declarations": {"counts": {"new": len(new.declarations)}}}
    old = _frames(old_dir)
    after = review_failures(new)
    before = review_failures(old)
    fresh = [v for k, v in after.items() if k not in before]
    return {
        "first": False,
        "declarations": _declaration_changes(old, new),
        "problems": _problem_changes(old, new),
        "review_failures": {"new": fresh[:LISTED], "count": len(fresh)},
    }


def report_stamps(out: Path) -> dict[str, dict]:
    """The reports on disk as their cache stamps record them: ``kind-stem`` -> name, HTML hash."""
    import json

    stamps = {}
    for p in sorted((Path(out) / ".cache").glob("*.json")):
        try:
            s = json.loads(p.read_text("utf-8"))
            stamps[p.stem] = {"name": s.get("name"), "html": s["outputs"]["html"][1]}
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            continue
    return stamps


def report_changes(before: dict[str, dict], after: dict[str, dict]) -> dict:
    """The reports whose HTML is new or differs, and those gone, by kind (unit, year, overview)."""
    changed, new, gone = [], [], []
    for key, s in after.items():
        kind = key.split("-", 1)[0]
        if key not in before:
            new.append({"kind": kind, "name": s["name"]})
        elif before[key]["html"] != s["html"]:
            changed.append({"kind": kind, "name": s["name"]})
    for key, s in before.items():
        if key not in after:
            gone.append({"kind": key.split("-", 1)[0], "name": s["name"]})
    return {"changed": changed, "new": new, "gone": gone}


# ----------------------------------------------------------------------------- the digest


def _section(lines: list[str], title: str, items: list[str], total: int | None = None) -> None:
    total = len(items) if total is None else total
    if not total:
        return
    lines.append("")
    lines.append(_("digest.section", title=title, total=total))
    lines.extend(f"  {i}" for i in items[:SHOWN])
    if total > min(len(items), SHOWN):
        lines.append(_("digest.more", more=total - min(len(items), SHOWN), listed=LISTED))


def _problem(e: dict) -> str:
    """A new problem as the digest says it: the ingest's message, or in Chinese the reports' words."""
    zh = f"{e['source_file']}：{chinese_message(e['code'], e['message'], e['source_file'])}"
    severity = _(f"severity.{e['severity']}") if e["severity"] in ("error", "warning") else e["severity"]
    return _("digest.problem", severity=severity, code=e["code"], message=pick(zh, e["message"]))


def format_digest(record: dict) -> str:
    """A few lines on a run (its ``run.json`` record): what it did and what changed since the last,
    in the language in use."""
    sep = _("sep.list")
    lines = [f"{record['headline']}"]
    lines.append(
        _(
            "digest.when",
            started=record["started"],
            ended=record["ended"],
            seconds=record["seconds"]["total"],
            status=record["status"],
            text=record["status_text"],
        )
    )
    for why in record.get("why", []):
        lines.append(f"  {why}")
    ing = record.get("ingest")
    if ing:
        lines.append(
            _(
                "digest.input",
                raw=record["raw"],
                files=ing["files"],
                declarations=ing["declarations"],
                indicators=ing["indicators"],
                errors=ing["errors"],
                warnings=ing["warnings"],
            )
        )
        if ing.get("files_failed"):
            counts = sep.join(_("digest.count_code", n=n, code=c) for c, n in ing["files_failed"].items())
            lines.append(_("digest.files_failed", list=counts))
        if "files_new" in ing:
            lines.append(
                _(
                    "digest.files_cache",
                    new=ing["files_new"],
                    changed=ing["files_changed"],
                    removed=ing["files_removed"],
                    reused=ing["files_reused"],
                )
            )
    rep = record.get("reports")
    if rep:
        lines.append(
            _(
                "digest.reports",
                out=record["out"],
                rendered=rep["rendered"],
                unchanged=rep["unchanged"],
                failed=rep["failed"],
            )
            + (_("run.export_failed") if rep.get("export_error") else "")
        )
    ch = record.get("changes") or {}
    if ch.get("first"):
        lines.append("")
        lines.append(_("digest.first"))
    elif ch:
        d = ch["declarations"]
        c = d["counts"]
        lines.append("")
        lines.append(_("digest.since", new=c["new"], changed=c["changed"], removed=c["removed"]))
        _section(
            lines,
            _("digest.new_declarations"),
            [_("digest.with_file", what=e["what"], file=e["file"]) for e in d["new"]],
            c["new"],
        )
        _section(
            lines,
            _("digest.changed_declarations"),
            [_("digest.fields", what=e["what"], fields=_fields(e["fields"]), file=e["file"]) for e in d["changed"]],
            c["changed"],
        )
        _section(lines, _("digest.removed_declarations"), [e["what"] for e in d["removed"]], c["removed"])
        p = ch["problems"]
        counted = sep.join(
            _("digest.severity_count", n=n, severity=_(f"severity.{s}") if s in ("error", "warning") else s)
            for s, n in sorted(p["counts"].items())
        )
        title = _("digest.new_problems_counted", counts=counted) if p["counts"] else _("digest.new_problems")
        _section(lines, title, [_problem(e) for e in p["new"]], sum(p["counts"].values()))
        r = ch["review_failures"]
        _section(
            lines,
            _("digest.new_review_failures"),
            [_("digest.rule", what=e["what"], rule=_rule(e["rule"])) for e in r["new"]],
            r["count"],
        )
    rc = record.get("report_changes")
    if rc and not ch.get("first"):
        _section(
            lines,
            _("digest.units_changed"),
            [e["name"] for e in rc["new"] + rc["changed"] if e["kind"] == "unit"],
        )
        _section(
            lines,
            _("digest.reports_removed"),
            [_("digest.report", kind=_kind(e["kind"]), name=e["name"]) for e in rc["gone"]],
        )
    failed = [f for f in (rep or {}).get("failed_reports", [])]
    _section(
        lines,
        _("digest.failed_reports"),
        [_("digest.failed_report", kind=_kind(f["kind"]), name=f["name"], error=f["error"]) for f in failed],
    )
    lines.append("")
    lines.append(_("digest.where", out=record["out"]))
    return "\n".join(lines) + "\n"


def _fields(fields: list[str]) -> str:
    """The columns that changed: their Chinese headings, or in English their names."""
    return _("sep.list").join(pick(_("digest.indicators") if f == "indicators" else heading(f), f) for f in fields)


def _rule(rule: str) -> str:
    """A failed rule: in Chinese what its failure means (the reports' words) with its id, in English its id."""
    from analysis.metrics.rules import RULES

    finding = next((f"{r.finding}（{r.id}）" for r in RULES if r.id == rule and r.finding), rule)
    return pick(finding, rule)


def _kind(kind: str) -> str:
    """A report's kind (unit, year, overview, library) in the language in use."""
    return _(f"kind.{kind}") if kind in ("unit", "year", "overview", "library") else kind
