"""Review of every declaration against the published rules for performance targets (目标审核).

:func:`review` checks each declaration against a fixed, versioned set of rules
(:data:`RULES`, version :data:`RULESET_VERSION`) and returns one row per declaration and
rule, with the outcome (``pass`` / ``fail`` / ``n/a``), the evidence (the indicators or
figures concerned) and the source of the rule (a document number, or ``convention`` for a
rule that is common review practice rather than a written requirement). Every declaration
gets a row for every rule: a rule that cannot be judged is ``n/a`` with the reason in
``evidence``, never missing. :func:`review_summary` turns the rows into pass rates per
group of declarations and lists the rules failed most.

The rules and their sources are listed in ``docs/review.md``. Thresholds are keyword
parameters of :func:`review` (defaults in :data:`THRESHOLDS`).

Frameworks: the older form (一级目标 投入与管理 / 产出目标 / 效果目标 / 影响力目标) is judged by
its own tree (产出 and 效果, no 满意度 or 成本 level); a declaration counts as older when one of
its indicators has ``level1_std`` 投入管理 or 影响力. Every other declaration is judged by the
newer tree (产出 / 效益 / 满意度, with 成本 required from ``cost_from_year``, the first budget
year after 财预〔2021〕101号).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.metrics import identity
from analysis.metrics.changes import target_changes
from analysis.metrics.execution import budget_reconciliation, project_execution, realized_rate
from analysis.metrics.identity import DEFAULT_THRESHOLD, norm_text
from analysis.metrics.quality import is_vague
from analysis.patterns import TEXT_BUDGET
from analysis.tables import FRAMES

RULESET_VERSION = "2026.1"
"""Version of :data:`RULES` and their checks; reported in the ``ruleset`` column of every row."""

OUTCOMES = ("pass", "fail", "n/a")

GROUPS = ("完整性", "量化", "可比", "执行", "一致", "合理")
"""The rule groups, in the order summaries list them."""

CONVENTION = "convention"


@dataclass(frozen=True)
class Rule:
    id: str
    group: str
    description: str
    source: str
    finding: str = ""
    """What a failure means, said as the finding (the description is the pass condition)."""


RULES: tuple[Rule, ...] = (
    Rule(
        "complete.output_effect",
        "完整性",
        "设有产出指标和效益（效果）指标",
        "财预〔2015〕88号；财预〔2021〕101号",
        "缺少产出指标或效益（效果）指标",
    ),
    Rule(
        "complete.output_dims",
        "完整性",
        "产出指标覆盖数量、质量、时效",
        "财预〔2015〕88号；财预〔2021〕101号",
        "产出指标未覆盖数量、质量、时效",
    ),
    Rule("complete.cost", "完整性", "设有成本指标（按年度适用的框架）", "财预〔2021〕101号", "缺少成本指标"),
    Rule(
        "complete.satisfaction",
        "完整性",
        "设有满意度指标（框架有满意度时）",
        "财预〔2015〕88号；财预〔2021〕101号",
        "缺少满意度指标",
    ),
    Rule(
        "quant.share",
        "量化",
        "可量化目标（定量或时限）占比不低于阈值",
        "财预〔2021〕101号",
        "可量化目标（定量或时限）占比低于阈值",
    ),
    Rule("quant.vague", "量化", "没有无数字的模糊定性目标", "财预〔2021〕101号", "有无数字的模糊定性目标"),
    Rule(
        "compare.repeat_budget_up",
        "可比",
        "预算明显增长时定量目标未原样照搬上年",
        CONVENTION,
        "预算明显增长，定量目标却原样照搬上年",
    ),
    Rule("compare.loosened_budget_up", "可比", "预算增长时目标未放松", CONVENTION, "预算增长而目标放松"),
    Rule(
        "exec.prior_rate",
        "执行",
        "上年预算执行率不低于阈值（默认90%）",
        "财预〔2020〕10号",
        "上年预算执行率低于阈值（默认90%）",
    ),
    Rule(
        "exec.own_target",
        "执行",
        "上年预算执行率达到上年申报的预算执行率目标",
        CONVENTION,
        "上年预算执行率未达到上年申报的预算执行率目标",
    ),
    Rule("consist.year_over_total", "一致", "当年预算不超过项目总预算", CONVENTION, "当年预算超过项目总预算"),
    Rule("consist.text_budget", "一致", "文字中的预算金额与表内一致", CONVENTION, "文字中的预算金额与表内不一致"),
    Rule(
        "consist.prior_budget",
        "一致",
        "上年预算额与上年申报的当年预算一致",
        CONVENTION,
        "上年预算额与上年申报的当年预算不一致",
    ),
    Rule("reason.percent_over_100", "合理", "百分比目标不超过100%", CONVENTION, "百分比目标超过100%"),
    Rule(
        "reason.satisfaction_floor",
        "合理",
        "满意度目标不低于阈值（默认80%）",
        CONVENTION,
        "满意度目标低于阈值（默认80%）",
    ),
    Rule(
        "reason.placeholder",
        "合理",
        "没有残留的占位符、填表提示或空白模板行",
        CONVENTION,
        "残留占位符、填表提示或空白模板行",
    ),
    Rule("reason.score_column", "合理", "目标值列填的不是分值", CONVENTION, "目标值列填的是分值"),
)
"""The rules, in the order :func:`review` lists them for each declaration."""

RULE_IDS = tuple(r.id for r in RULES)

THRESHOLDS: dict[str, float] = {
    "min_quant_share": 0.5,
    "repeat_budget_growth": 0.10,
    "loosen_budget_growth": 0.0,
    "min_exec_rate": 0.90,
    "min_satisfaction": 80.0,
    "max_percent": 100.0,
    "cost_from_year": 2022,
    "score_min_rows": 3,
    "reconcile_tolerance": 1.0,
}
"""Defaults of the keyword parameters of :func:`review` (see its docstring)."""

REVIEW_COLUMNS = FRAMES["review"]

OLD_FRAMEWORK = "旧框架（投入与管理/产出/效果/影响力）"
NEW_FRAMEWORK = "新框架（产出/效益/满意度/成本）"

PLACEHOLDER = re.compile(r"\*{2,}|[Xx×]{2,}|○{2,}|□{2,}|必填|选填|请填写|填写说明|填报说明")
"""Placeholders and template hints left in a published table (matched on NFKC text):
``**`` (``（≥**%）``, ``≤**万元``), ``XX``/``×××``, ``○○``, ``□□``, and the form's own
instructions (必填, 选填, 请填写, 填写说明)."""

_ZERO_NAME = re.compile(r"^[0.]+$")
_BARE_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_DIMS = (("数量", ("数量",)), ("质量", ("质量",)), ("时效", ("时效", "进度", "时限")), ("成本", ("成本",)))
_MAX_LISTED = 8


def _fmt_money(v: float) -> str:
    """An amount in 万元, the unit of every report page: two decimals, more only where they are
    needed to show a small difference (1.5 元 is 0.00015 万元)."""
    wan = float(v) / 10000
    if round(wan, 2) == round(wan, 6):
        return f"{wan:,.2f} 万元"
    return f"{wan:,.6f}".rstrip("0") + " 万元"


def _pct(v: float) -> str:
    return f"{100 * v:.1f}%"


def _labels(ind: pd.DataFrame) -> pd.Series:
    """``level2/name：target`` for each indicator, as shown in the evidence."""
    l2 = ind["level2"].fillna("").astype(str)
    name = ind["name"].fillna("（无名称）").astype(str)
    target = ind["target_raw"].fillna("（无目标值）").astype(str)
    head = np.where(l2 != "", l2 + "/" + name, name)
    return pd.Series(head, index=ind.index) + "：" + target


def _join_groups(keys: np.ndarray, values: np.ndarray, sep: str = "；") -> pd.Series:
    """``values`` joined with ``；`` per key (first appearance order kept), at most a few listed."""
    if len(keys) == 0:
        return pd.Series(dtype=object)
    codes, uniques = pd.factorize(keys)
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    texts = []
    for chunk in np.split(values[order], bounds):
        head = sep.join(chunk[:_MAX_LISTED])
        texts.append(head + (f" 等{len(chunk)}项" if len(chunk) > _MAX_LISTED else ""))
    return pd.Series(texts, index=pd.Index(uniques).take(np.unique(codes[order])), dtype=object)


def _listed(ids: np.ndarray, mask, labels) -> pd.Series:
    """Per decl_id (``ids``, one per indicator), the labels of the indicators under ``mask``
    joined with ``；`` (at most a few)."""
    m = np.asarray(mask, dtype=bool)
    return _join_groups(ids[m], np.asarray(labels, dtype=object)[m])


def _count(ind: pd.DataFrame, mask, index: pd.Index) -> pd.Series:
    m = np.asarray(mask, dtype=bool)
    return ind.loc[m, "decl_id"].value_counts().reindex(index, fill_value=0).astype(int)


class _Outcomes:
    """Outcome and evidence of one rule for every declaration (default n/a)."""

    def __init__(self, index: pd.Index, default_evidence: str):
        self.index = index
        self.outcome = np.full(len(index), "n/a", dtype=object)
        self.evidence = np.full(len(index), default_evidence, dtype=object)

    def set(self, mask, outcome: str, evidence) -> None:
        m = np.asarray(mask, dtype=bool)
        self.outcome[m] = outcome
        if isinstance(evidence, pd.Series):
            self.evidence[m] = evidence.reindex(self.index).to_numpy(dtype=object)[m]
        else:
            self.evidence[m] = evidence


def review(
    declarations: pd.DataFrame,
    indicators: pd.DataFrame,
    changes: pd.DataFrame | None = None,
    problems: pd.DataFrame | None = None,
    *,
    min_quant_share: float = THRESHOLDS["min_quant_share"],
    repeat_budget_growth: float = THRESHOLDS["repeat_budget_growth"],
    loosen_budget_growth: float = THRESHOLDS["loosen_budget_growth"],
    min_exec_rate: float = THRESHOLDS["min_exec_rate"],
    min_satisfaction: float = THRESHOLDS["min_satisfaction"],
    max_percent: float = THRESHOLDS["max_percent"],
    cost_from_year: int = THRESHOLDS["cost_from_year"],
    score_min_rows: int = THRESHOLDS["score_min_rows"],
    reconcile_tolerance: float = THRESHOLDS["reconcile_tolerance"],
    threshold: float = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Review every declaration against :data:`RULES`: one row per declaration and rule.

    ``declarations``, ``indicators`` and ``problems`` are the processed tables (``problems``
    is optional: without it the 一致 rules that reuse the ingest's findings are ``n/a``);
    ``changes`` is the output of :func:`analysis.metrics.target_changes`, computed when not
    given. Only the year's targets are reviewed (``horizon`` ``year`` or null).

    Thresholds (keyword parameters, defaults in :data:`THRESHOLDS`):

    - ``min_quant_share`` (0.5): quant.share fails below this share of quantitative or
      deadline targets;
    - ``repeat_budget_growth`` (0.10): compare.repeat_budget_up applies when the year budget
      grew by more than this share over the project's previous declaration;
    - ``loosen_budget_growth`` (0.0): compare.loosened_budget_up applies when it grew by
      more than this;
    - ``min_exec_rate`` (0.90): exec.prior_rate fails below it;
    - ``min_satisfaction`` (80, percent): reason.satisfaction_floor fails below it;
    - ``max_percent`` (100): reason.percent_over_100 fails above it;
    - ``cost_from_year`` (2022): complete.cost applies to declarations of the newer framework
      from this year on;
    - ``score_min_rows`` (3): reason.score_column needs at least this many targets;
    - ``reconcile_tolerance`` (1.0 元): passed to :func:`analysis.metrics.budget_reconciliation`;
    - ``threshold``: project identity (:func:`analysis.metrics.identity.project_ids`).

    Columns: ``decl_id``, ``unit``, ``year``, ``project``; ``rule`` (id in :data:`RULE_IDS`),
    ``group`` (完整性/量化/可比/执行/一致/合理), ``description`` (short Chinese: what the rule
    checks, its pass condition), ``outcome`` (``pass``/``fail``/``n/a``), ``finding`` (on a failed
    row, the failure said as a finding, 有无数字的模糊定性目标; null otherwise), ``evidence`` (text: the indicators or figures concerned, or
    why the rule does not apply), ``source`` (document number, or ``convention``) and
    ``ruleset`` (:data:`RULESET_VERSION`; also in ``attrs["ruleset"]``, with the thresholds
    used in ``attrs["thresholds"]``). Rows are ordered by unit, year, project, then rule.
    """
    thresholds = {
        "min_quant_share": min_quant_share,
        "repeat_budget_growth": repeat_budget_growth,
        "loosen_budget_growth": loosen_budget_growth,
        "min_exec_rate": min_exec_rate,
        "min_satisfaction": min_satisfaction,
        "max_percent": max_percent,
        "cost_from_year": cost_from_year,
        "score_min_rows": score_min_rows,
        "reconcile_tolerance": reconcile_tolerance,
    }
    decl = identity.ensure_linked(declarations.drop_duplicates("decl_id"), threshold)
    decl = decl.sort_values(["unit", "year", "project"], kind="stable").set_index("decl_id", drop=False)
    index = pd.Index(decl["decl_id"])
    ind = indicators.loc[indicators["decl_id"].isin(index)]
    if "horizon" in ind:
        ind = ind.loc[ind["horizon"].isna() | (ind["horizon"] == "year")]
    ind = ind.reset_index(drop=True)
    for col in ("level1", "level2", "name", "level1_std", "target_raw", "op", "value_unit", "kind"):
        if col not in ind:
            ind[col] = pd.Series(None, index=ind.index, dtype=object)
    for col in ("value", "value_hi"):
        if col not in ind:
            ind[col] = np.nan
    if decl.empty:
        out = pd.DataFrame({c: pd.Series(dtype=object) for c in REVIEW_COLUMNS})
        out["year"] = out["year"].astype("Int64")
        out.attrs.update(ruleset=RULESET_VERSION, thresholds=thresholds)
        return out
    if changes is None:
        changes = target_changes(indicators, declarations)

    ctx = _Context(decl, ind, changes, problems, thresholds)
    results = {rule.id: getattr(ctx, "rule_" + rule.id.replace(".", "_"))() for rule in RULES}

    n, k = len(decl), len(RULES)
    rules = pd.DataFrame(
        {
            "rule": [r.id for r in RULES],
            "group": [r.group for r in RULES],
            "description": [r.description for r in RULES],
            "finding": [r.finding for r in RULES],
            "source": [r.source for r in RULES],
        }
    )
    out = pd.DataFrame(
        {
            "decl_id": np.repeat(decl["decl_id"].to_numpy(dtype=object), k),
            "unit": np.repeat(decl["unit"].to_numpy(dtype=object), k),
            "year": np.repeat(pd.to_numeric(decl["year"]).to_numpy(), k),
            "project": np.repeat(decl["project"].to_numpy(dtype=object), k),
            "rule": np.tile(rules["rule"].to_numpy(dtype=object), n),
            "group": np.tile(rules["group"].to_numpy(dtype=object), n),
            "description": np.tile(rules["description"].to_numpy(dtype=object), n),
            "outcome": np.column_stack([results[r].outcome for r in RULE_IDS]).reshape(-1)
            if n
            else np.array([], dtype=object),
            "evidence": np.column_stack([results[r].evidence for r in RULE_IDS]).reshape(-1)
            if n
            else np.array([], dtype=object),
            "finding": np.tile(rules["finding"].to_numpy(dtype=object), n),
            "source": np.tile(rules["source"].to_numpy(dtype=object), n),
            "ruleset": RULESET_VERSION,
        },
        columns=REVIEW_COLUMNS,
    )
    out["finding"] = out["finding"].where(out["outcome"] == "fail")
    out["year"] = out["year"].astype("Int64")
    out.attrs["ruleset"] = RULESET_VERSION
    out.attrs["thresholds"] = thresholds
    return out


class _Context:
    """What the rules share: the declarations, their indicators and the derived frames."""

    def __init__(self, decl, ind, changes, problems, thresholds):
        self.decl, self.ind, self.changes, self.problems = decl, ind, changes, problems
        self.t = thresholds
        self.index = pd.Index(decl["decl_id"])
        self.labels = _labels(ind).to_numpy(dtype=object)
        self.ids = ind["decl_id"].to_numpy(dtype=object)
        self.l1 = ind["level1_std"].fillna("")
        l2 = norm_text(ind["level2"])
        self.dim = pd.Series("", index=ind.index, dtype=object)
        for dim, words in reversed(_DIMS):
            self.dim[l2.str.contains("|".join(words), regex=True).to_numpy()] = dim
        self.n_ind = _count(ind, np.ones(len(ind), dtype=bool), self.index)
        self.has_ind = self.n_ind > 0
        old = _count(ind, self.l1.isin(["投入管理", "影响力"]), self.index) > 0
        self.old = old
        self.framework = pd.Series(np.where(old, OLD_FRAMEWORK, NEW_FRAMEWORK), index=self.index)
        self.year = pd.to_numeric(decl["year"], errors="coerce")
        self.budget = {
            c: pd.to_numeric(decl[c], errors="coerce").astype(float)
            if c in decl
            else pd.Series(np.nan, index=self.index)
            for c in ("year_budget", "total_budget", "prior_budget", "prior_executed", "exec_target")
        }
        self.truncated = self._problem_codes({"truncated-table"}).reindex(self.index).notna()
        # the previous consecutive declaration of each project, through project identity
        pe = project_execution(decl.reset_index(drop=True))
        pairs = pe.dropna(subset=["target_decl_id", "realized_decl_id"]).drop_duplicates("realized_decl_id")
        self.prev = pairs.set_index("realized_decl_id")["target_decl_id"].reindex(self.index)
        self.prev_exec_target = pairs.set_index("realized_decl_id")["exec_target"].reindex(self.index)

    # ------------------------------------------------------------------ helpers

    def _problem_codes(self, codes: set[str]) -> pd.Series:
        """Per decl_id, the messages of its problems with one of ``codes`` (joined)."""
        p = self.problems
        if p is None or p.empty or "decl_id" not in p:
            return pd.Series(dtype=object)
        sub = p.loc[p["code"].isin(codes) & p["decl_id"].notna()]
        return sub.groupby("decl_id")["message"].agg("；".join)

    def _trunc_note(self, evidence: pd.Series) -> pd.Series:
        return evidence.where(~self.truncated, evidence + "（输入在指标表中截断）")

    def _level1_counts(self) -> pd.Series:
        """Per declaration: ``产出 3项，效益 2项…`` over its level1_std categories."""
        if self.ind.empty:
            return pd.Series("", index=self.index, dtype=object)
        lab = self.l1.replace("", "未分类")
        raw = self.ind["level1"].fillna("").astype(str)
        lab = lab.where(lab != "其他", "未识别（" + raw + "）").to_numpy(dtype=object)
        ids = self.ind["decl_id"].to_numpy(dtype=object)
        codes, uniques = pd.factorize(pd.MultiIndex.from_arrays([ids, lab]))
        counts = np.bincount(codes, minlength=len(uniques))
        first = np.unique(codes, return_index=True)[1]
        texts = np.array([f"{lab[i]} {counts[c]}项" for c, i in enumerate(first)], dtype=object)
        return _join_groups(ids[first], texts, "，").reindex(self.index).fillna("")

    def _no_indicators(self, out: _Outcomes) -> None:
        out.set(~self.has_ind, "n/a", "申报表没有指标（见 complete.output_effect）")

    # ------------------------------------------------------------------ 完整性

    def rule_complete_output_effect(self) -> _Outcomes:
        out = _Outcomes(self.index, "")
        n_out = _count(self.ind, self.l1 == "产出", self.index)
        n_eff = _count(self.ind, self.l1 == "效益", self.index)
        tree = self._level1_counts()
        missing = pd.Series(
            [
                ("、".join(w for w, n in (("产出", a), ("效益（效果）", b)) if n == 0))
                for a, b in zip(n_out.to_numpy(), n_eff.to_numpy())
            ],
            index=self.index,
            dtype=object,
        )
        ev = self.framework + "：" + tree
        out.set(self.has_ind & (n_out > 0) & (n_eff > 0), "pass", ev)
        out.set(self.has_ind & ((n_out == 0) | (n_eff == 0)), "fail", self._trunc_note("缺" + missing + "指标；" + ev))
        out.set(~self.has_ind, "fail", self._trunc_note(pd.Series("申报表没有指标", index=self.index)))
        return out

    def rule_complete_output_dims(self) -> _Outcomes:
        out = _Outcomes(self.index, "没有产出指标（见 complete.output_effect）")
        is_out = (self.l1 == "产出").to_numpy()
        present = {d: _count(self.ind, is_out & (self.dim == d).to_numpy(), self.index) > 0 for d, _ in _DIMS}
        need = ("数量", "质量", "时效")
        has_out = _count(self.ind, is_out, self.index) > 0
        flags = np.column_stack([present[d].to_numpy(dtype=bool) for d in need])
        have = pd.Series(
            ["、".join(d for d, f in zip(need, row) if f) for row in flags], index=self.index, dtype=object
        )
        miss = pd.Series(
            ["、".join(d for d, f in zip(need, row) if not f) for row in flags], index=self.index, dtype=object
        )
        ok = present["数量"] & present["质量"] & present["时效"]
        out.set(has_out & ok, "pass", "产出指标有" + have)
        out.set(has_out & ~ok, "fail", self._trunc_note("产出指标缺" + miss + "（有：" + have.replace("", "无") + "）"))
        return out

    def rule_complete_cost(self) -> _Outcomes:
        y0 = int(self.t["cost_from_year"])
        out = _Outcomes(self.index, f"{y0}年以前的申报表不要求成本指标")
        has_cost = _count(self.ind, (self.l1 == "成本") | ((self.l1 == "产出") & (self.dim == "成本")), self.index) > 0
        applies = self.has_ind & ~self.old & (self.year >= y0)
        out.set(self.old, "n/a", OLD_FRAMEWORK + "没有成本指标")
        out.set(
            applies & has_cost,
            "pass",
            "有成本指标："
            + _listed(self.ids, (self.l1 == "成本") | ((self.l1 == "产出") & (self.dim == "成本")), self.labels)
            .reindex(self.index)
            .fillna(""),
        )
        out.set(
            applies & ~has_cost,
            "fail",
            self._trunc_note(
                pd.Series(
                    f"{y0}年起新框架要求成本指标（一级“成本指标”或产出下的“成本指标”），本表没有", index=self.index
                )
            ),
        )
        self._no_indicators(out)
        return out

    def rule_complete_satisfaction(self) -> _Outcomes:
        out = _Outcomes(self.index, "")
        sat = self._satisfaction_mask()
        has = _count(self.ind, sat, self.index) > 0
        listed = _listed(self.ids, sat, self.labels).reindex(self.index).fillna("")
        also = ("（另有：" + listed + "）").where(has, "")
        out.set(self.old, "n/a", OLD_FRAMEWORK + "没有满意度一级指标" + also)
        out.set(~self.old & has, "pass", "有满意度指标：" + listed)
        out.set(~self.old & ~has, "fail", self._trunc_note(pd.Series("没有满意度指标", index=self.index)))
        self._no_indicators(out)
        return out

    def _satisfaction_mask(self) -> np.ndarray:
        name = norm_text(self.ind["name"])
        l2 = norm_text(self.ind["level2"])
        return (
            (self.l1 == "满意度") | name.str.contains("满意", regex=False) | l2.str.contains("满意", regex=False)
        ).to_numpy()

    # ------------------------------------------------------------------ 量化

    def rule_quant_share(self) -> _Outcomes:
        out = _Outcomes(self.index, "申报表没有指标")
        kind = self.ind["kind"]
        real = ~self._blank_rows()  # blank template rows are reason.placeholder's, not targets
        n_all = _count(self.ind, real, self.index)
        n_q = _count(self.ind, real & kind.isin(["quantitative", "deadline"]).to_numpy(), self.index)
        share = n_q / n_all.where(n_all > 0)
        ev = (
            "可量化目标 "
            + n_q.astype(str)
            + "/"
            + n_all.astype(str)
            + " = "
            + share.map(lambda v: _pct(v) if pd.notna(v) else "")
            + f"（阈值 {_pct(self.t['min_quant_share'])}）"
        )
        qual = _listed(self.ids, real & (kind.eq("qualitative") | kind.isna()).to_numpy(), self.labels)
        qual = qual.reindex(self.index).fillna("")
        out.set(self.has_ind & (n_all == 0), "n/a", "只有空白模板行")
        out.set(share.notna() & (share >= self.t["min_quant_share"] - 1e-12), "pass", ev)
        out.set(share.notna() & (share < self.t["min_quant_share"] - 1e-12), "fail", ev + "；定性或无目标值：" + qual)
        return out

    def _blank_rows(self) -> np.ndarray:
        """Indicator rows with neither a name nor a target: a template row left empty."""
        name = self.ind["name"].fillna("").astype(str).str.strip()
        target = self.ind["target_raw"].fillna("").astype(str).str.strip()
        return ((name == "") & (target == "")).to_numpy()

    def rule_quant_vague(self) -> _Outcomes:
        out = _Outcomes(self.index, "申报表没有指标")
        vague = is_vague(self.ind).fillna(False).to_numpy(dtype=bool)
        n_v = _count(self.ind, vague, self.index)
        listed = _listed(self.ids, vague, self.labels).reindex(self.index).fillna("")
        out.set(self.has_ind & (n_v == 0), "pass", "没有模糊目标（" + self.n_ind.astype(str) + "项指标）")
        out.set(self.has_ind & (n_v > 0), "fail", "模糊目标 " + n_v.astype(str) + "项：" + listed)
        return out

    # ------------------------------------------------------------------ 可比

    def _budget_growth(self) -> tuple[pd.Series, pd.Series, pd.Series, pd.DataFrame]:
        """Growth of the year budget over the project's previous declaration (via ``changes``)."""
        ch = self.changes
        ch = ch.loc[ch["new_decl_id"].isin(self.index)]
        prev_id = ch.drop_duplicates("new_decl_id").set_index("new_decl_id")
        prev = prev_id["old_decl_id"].reindex(self.index)
        gap = pd.to_numeric(prev_id["gap_years"], errors="coerce").reindex(self.index)
        yb = self.budget["year_budget"]
        prev_yb = yb.reindex(prev.to_numpy()).set_axis(self.index)
        if "year_budget" not in self.decl:
            prev_yb = pd.Series(np.nan, index=self.index)
        # the previous declaration's own year_budget, else this one's 上年预算 when the years are consecutive
        prev_yb = prev_yb.where(prev_yb.notna(), self.budget["prior_budget"].where(gap == 0))
        growth = (yb - prev_yb) / prev_yb.where(prev_yb > 0)
        return prev, prev_yb, growth, ch

    def _compare(self, changed_mask_fn, limit_key: str, what: str) -> _Outcomes:
        prev, prev_yb, growth, ch = self._budget_growth()
        limit = self.t[limit_key]
        yb = self.budget["year_budget"]
        out = _Outcomes(self.index, "")
        out.set(prev.isna(), "n/a", "没有上一年度的申报表可比")
        unknown = prev.notna() & growth.isna()
        out.set(unknown, "n/a", "当年预算或上年预算未知，无法判断预算增长")
        ev_budget = (
            "当年预算 "
            + yb.map(lambda v: _fmt_money(v) if pd.notna(v) else "")
            + "，上年 "
            + prev_yb.map(lambda v: _fmt_money(v) if pd.notna(v) else "")
            + "，增长 "
            + growth.map(lambda v: _pct(v) if pd.notna(v) else "")
        )
        small = prev.notna() & growth.notna() & (growth <= limit)
        out.set(small, "n/a", ev_budget + f"（未超过 {_pct(limit)}，规则不适用）")
        applies = prev.notna() & growth.notna() & (growth > limit)
        mask = changed_mask_fn(ch)
        sub = ch.loc[mask]
        lab = (
            sub["level2"].fillna("").astype(str).where(sub["level2"].notna(), "")
            + "/"
            + sub["name"].fillna("").astype(str)
            + "："
            + sub["old_raw"].fillna("").astype(str)
            + " → "
            + sub["new_raw"].fillna("").astype(str)
        )
        listed = _join_groups(sub["new_decl_id"].to_numpy(dtype=object), lab.to_numpy(dtype=object))
        n = sub["new_decl_id"].value_counts().reindex(self.index, fill_value=0)
        out.set(applies & (n == 0), "pass", ev_budget + f"；没有{what}的目标")
        out.set(
            applies & (n > 0),
            "fail",
            ev_budget + f"；{what}的目标 " + n.astype(str) + "项：" + listed.reindex(self.index).fillna(""),
        )
        return out

    def rule_compare_repeat_budget_up(self) -> _Outcomes:
        def repeated(ch):
            at_ceiling = (
                ch["new_unit"].eq("%")
                & pd.to_numeric(ch["new_value"], errors="coerce").ge(100)
                & ch["new_op"].isin(["=", ">=", "≥"])
            )
            return (ch["change"].eq("unchanged") & ch["new_kind"].eq("quantitative") & ~at_ceiling).to_numpy()

        return self._compare(repeated, "repeat_budget_growth", "与上年相同")

    def rule_compare_loosened_budget_up(self) -> _Outcomes:
        return self._compare(lambda ch: ch["change"].eq("loosened").to_numpy(), "loosen_budget_growth", "比上年放松")

    # ------------------------------------------------------------------ 执行

    def _prior_rate(self) -> pd.Series:
        return realized_rate(
            self.decl.assign(prior_budget=self.budget["prior_budget"], prior_executed=self.budget["prior_executed"])
        )

    def _rate_evidence(self, rate: pd.Series) -> pd.Series:
        return (
            "上年执行率 "
            + rate.map(lambda v: _pct(v) if pd.notna(v) else "")
            + "（"
            + self.budget["prior_executed"].map(lambda v: _fmt_money(v) if pd.notna(v) else "")
            + " / "
            + self.budget["prior_budget"].map(lambda v: _fmt_money(v) if pd.notna(v) else "")
            + "）"
        )

    def rule_exec_prior_rate(self) -> _Outcomes:
        out = _Outcomes(self.index, "上年预算额或执行数未填报")
        rate = self._prior_rate()
        ev = self._rate_evidence(rate) + f"，阈值 {_pct(self.t['min_exec_rate'])}"
        out.set(rate.notna() & (rate >= self.t["min_exec_rate"] - 1e-12), "pass", ev)
        out.set(rate.notna() & (rate < self.t["min_exec_rate"] - 1e-12), "fail", ev)
        return out

    def rule_exec_own_target(self) -> _Outcomes:
        out = _Outcomes(self.index, "")
        rate = self._prior_rate()
        prev_t = self.prev_exec_target
        # the target set for the year executed is last year's declaration's; this declaration's own
        # target is for the year to come, so in the first year of a project's data there is none
        target = prev_t
        whose = pd.Series("上年申报表的执行率目标 ", index=self.index)
        first = self.prev.isna()
        out.set(first, "n/a", "项目数据的第一年：没有上一年的申报表，无从比较其执行率目标")
        out.set(~first & rate.isna(), "n/a", "上年预算额或执行数未填报")
        out.set(
            ~first & rate.notna() & target.isna(), "n/a", "上年申报表没有可比的预算执行率目标（定量的“预算执行率”指标）"
        )
        ev = self._rate_evidence(rate) + "，" + whose + target.map(lambda v: _pct(v) if pd.notna(v) else "")
        ok = rate.notna() & target.notna()
        out.set(ok & (rate >= target - 1e-9), "pass", ev)
        out.set(ok & (rate < target - 1e-9), "fail", ev)
        return out

    # ------------------------------------------------------------------ 一致

    def rule_consist_year_over_total(self) -> _Outcomes:
        out = _Outcomes(self.index, "未提供 problems 表（入库时发现的问题）")
        if self.problems is None:
            return out
        yb, tb = self.budget["year_budget"], self.budget["total_budget"]
        found = self._problem_codes({"year-over-total"}).reindex(self.index)
        known = yb.notna() & tb.notna()
        out.set(~known, "n/a", "当年预算或项目总预算未填报")
        ev = (
            "当年预算 "
            + yb.map(lambda v: _fmt_money(v) if pd.notna(v) else "")
            + " ≤ 项目总预算 "
            + tb.map(lambda v: _fmt_money(v) if pd.notna(v) else "")
        )
        out.set(known & found.isna(), "pass", ev)
        out.set(found.notna(), "fail", found)
        return out

    def rule_consist_text_budget(self) -> _Outcomes:
        out = _Outcomes(self.index, "未提供 problems 表（入库时发现的问题）")
        if self.problems is None:
            return out
        found = self._problem_codes({"text-budget-mismatch"}).reindex(self.index)
        has_figure = self.budget["year_budget"].gt(0) | self.budget["total_budget"].gt(0)
        texts = [c for c in ("plan", "overview", "goals") if c in self.decl]
        if texts:
            # applicability only: does the text state a budget the ingest compared (its own pattern)?
            parts = [self.decl[c].fillna("").astype(str).to_numpy(dtype=object) for c in texts]
            joined = parts[0]
            for part in parts[1:]:
                joined = joined + "\n" + part
            found_text = [m.group(0) if (m := TEXT_BUDGET.search(t)) else None for t in joined]
            stated = pd.Series(found_text, index=self.index, dtype=object)
            out.set(has_figure & stated.isna(), "n/a", "文字中没有写明预算金额")
            out.set(has_figure & stated.notna(), "pass", "文字“" + stated.fillna("") + "”与表内预算一致")
        else:
            out.set(has_figure, "pass", "入库时未发现文字与表内金额不一致（未读文字字段）")
        out.set(~has_figure, "n/a", "表内没有预算金额")
        out.set(found.notna(), "fail", found)
        return out

    def rule_consist_prior_budget(self) -> _Outcomes:
        out = _Outcomes(self.index, "没有上一年度的申报表可比")
        recon = budget_reconciliation(self.decl.reset_index(drop=True), tolerance=self.t["reconcile_tolerance"])
        recon = recon.drop_duplicates("decl_id").set_index("decl_id").reindex(self.index)
        prior = self.budget["prior_budget"]
        prev_yb = self.budget["year_budget"].reindex(self.prev.to_numpy()).set_axis(self.index)
        has_prev = self.prev.notna()
        out.set(has_prev & (prior.isna() | prev_yb.isna()), "n/a", "上年预算额或上年申报的当年预算未填报")
        ev = (
            "上年预算额 "
            + prior.map(lambda v: _fmt_money(v) if pd.notna(v) else "")
            + "，上年申报的当年预算 "
            + prev_yb.map(lambda v: _fmt_money(v) if pd.notna(v) else "")
        )
        out.set(has_prev & prior.notna() & prev_yb.notna(), "pass", ev)
        bad = recon["difference"].notna()
        out.set(
            bad,
            "fail",
            "上年预算额 "
            + recon["prior_budget"].map(lambda v: _fmt_money(v) if pd.notna(v) else "")
            + "，上年申报的当年预算 "
            + recon["prev_year_budget"].map(lambda v: _fmt_money(v) if pd.notna(v) else "")
            + "，相差 "
            + recon["difference"].map(lambda v: _fmt_money(v) if pd.notna(v) else ""),
        )
        return out

    # ------------------------------------------------------------------ 合理

    def rule_reason_percent_over_100(self) -> _Outcomes:
        out = _Outcomes(self.index, "没有百分比目标")
        pct = self.ind["value_unit"].eq("%").to_numpy()
        top = np.fmax(
            pd.to_numeric(self.ind["value"], errors="coerce").to_numpy(dtype=float),
            pd.to_numeric(self.ind["value_hi"], errors="coerce").to_numpy(dtype=float),
        )
        over = pct & (top > self.t["max_percent"])
        n_pct = _count(self.ind, pct, self.index)
        n_over = _count(self.ind, over, self.index)
        out.set(
            (n_pct > 0) & (n_over == 0), "pass", n_pct.astype(str) + f"项百分比目标均不超过 {self.t['max_percent']:g}%"
        )
        out.set(
            n_over > 0,
            "fail",
            "超过 100% 的目标：" + _listed(self.ids, over, self.labels).reindex(self.index).fillna(""),
        )
        return out

    def rule_reason_satisfaction_floor(self) -> _Outcomes:
        out = _Outcomes(self.index, "没有定量的满意度目标")
        floor = self.t["min_satisfaction"]
        value = pd.to_numeric(self.ind["value"], errors="coerce")
        quant = (
            self._satisfaction_mask()
            & self.ind["value_unit"].eq("%").to_numpy()
            & self.ind["op"].isin(["=", ">=", ">", "≥", "range"]).to_numpy()
            & value.notna().to_numpy()
        )
        low = quant & (value < floor).to_numpy()
        n_q, n_low = _count(self.ind, quant, self.index), _count(self.ind, low, self.index)
        out.set(
            (n_q > 0) & (n_low == 0),
            "pass",
            "满意度目标：" + _listed(self.ids, quant, self.labels).reindex(self.index).fillna(""),
        )
        out.set(
            n_low > 0,
            "fail",
            f"低于 {floor:g}% 的满意度目标：" + _listed(self.ids, low, self.labels).reindex(self.index).fillna(""),
        )
        return out

    def rule_reason_placeholder(self) -> _Outcomes:
        out = _Outcomes(self.index, "申报表没有指标")
        texts = [norm_text(self.ind[c]) for c in ("level2", "name", "target_raw")]
        hint = np.zeros(len(self.ind), dtype=bool)
        for t in texts:
            hint |= t.str.contains(PLACEHOLDER, regex=True).to_numpy()
        name_raw = self.ind["name"].fillna("").astype(str).str.strip()
        zero_name = name_raw.str.match(_ZERO_NAME).to_numpy()
        empty = self._blank_rows()
        bad = hint | zero_name | empty
        n_bad = _count(self.ind, bad, self.index)
        label = np.where(
            empty, (self.ind["level2"].fillna("").astype(str) + "：空白模板行").to_numpy(dtype=object), self.labels
        )
        out.set(self.has_ind & (n_bad == 0), "pass", "没有占位符或填表提示（" + self.n_ind.astype(str) + "项指标）")
        out.set(
            n_bad > 0,
            "fail",
            "占位符、填表提示或空白行 "
            + n_bad.astype(str)
            + "项："
            + _listed(self.ids, bad, label).reindex(self.index).fillna(""),
        )
        return out

    def rule_reason_score_column(self) -> _Outcomes:
        k = int(self.t["score_min_rows"])
        out = _Outcomes(self.index, f"少于 {k} 项有目标值的指标，无法判断")
        raw = self.ind["target_raw"].fillna("").astype(str).str.strip()
        has_target = (raw != "").to_numpy()
        value = pd.to_numeric(self.ind["value"], errors="coerce")
        bare = (
            has_target
            & raw.str.match(_BARE_NUMBER).to_numpy()
            & self.ind["value_unit"].isna().to_numpy()
            & value.between(0, 100).to_numpy()
        )
        if "weight" in self.ind:
            weight = pd.to_numeric(self.ind["weight"], errors="coerce")
            same_as_weight = (
                has_target & weight.notna().to_numpy() & np.isclose(value, weight) & value.notna().to_numpy()
            )
        else:
            same_as_weight = np.zeros(len(self.ind), dtype=bool)
        n_t = _count(self.ind, has_target, self.index)
        n_bare = _count(self.ind, bare, self.index)
        n_w = _count(self.ind, same_as_weight, self.index)
        enough = n_t >= k
        scores = enough & ((n_bare == n_t) | (n_w == n_t))
        out.set(
            enough & ~scores,
            "pass",
            "目标值带运算符、单位或超出 0–100（" + (n_t - n_bare).astype(str) + "/" + n_t.astype(str) + "项）",
        )
        out.set(
            scores,
            "fail",
            "全部 "
            + n_t.astype(str)
            + " 项目标值都是 0–100 的裸数字或等于分值："
            + _listed(self.ids, bare | same_as_weight, self.labels).reindex(self.index).fillna(""),
        )
        return out
