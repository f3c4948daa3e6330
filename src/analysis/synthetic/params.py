"""What to generate (:class:`Params`), the layouts a unit may print, and the shipped sample."""

from __future__ import annotations

from dataclasses import dataclass

# ---------------------------------------------------------------------------------------------
# parameters


@dataclass(frozen=True)
class Params:
    """What to generate. Rates are probabilities per opportunity (per project, indicator, cell)."""

    units: int = 30
    years: tuple[int, int] = (2019, 2023)
    seed: int = 0
    quirks: float = 0.05  #: rate of each format quirk at each place it can occur (0 = clean)
    hostile: bool = False  #: also a few units with names like <script>…</script>局, for report tests
    projects: int = 5  #: mean number of projects per unit in the first year
    continue_rate: float = 0.85  #: a project is declared again the next year
    new_rate: float = 0.75  #: expected new projects per unit and year
    rename_rate: float = 0.05  #: a continuing project is renamed slightly (a word added or removed)
    mismatch_rate: float = 0.08  #: a continuing project declares a prior budget unlike last year's
    switch_rate: float = 0.5  #: share of units that move from the older to the newer framework
    tighten_rate: float = 0.15  #: an indicator's target is tightened from one year to the next
    loosen_rate: float = 0.08  #: ... loosened
    add_rate: float = 0.15  #: a declaration gains an indicator
    drop_rate: float = 0.05  #: an indicator is dropped
    layouts: tuple[str, ...] = ()  #: the forms units print (see LAYOUTS); () = all of them, one per unit

    @property
    def year_list(self) -> list[int]:
        return list(range(self.years[0], self.years[1] + 1))


#: the forms a unit may print its declarations in (one form per unit, every year):
#:
#: - ``seed``: the Shanghai form of data/raw (申报单位名称, 项目总预算/项目当年预算, 上年预算额 ...);
#: - ``county``: 主管部门 / 实施单位, 项目资金（万元） with 年度资金总额, a 年度目标, the table under a
#:   leading 绩效指标 column (the form of many county and city budget offices);
#: - ``split``: the seed's fields, the table with the operator, value, unit and weight in columns
#:   of their own (指标性质 | 指标值 | 度量单位 | 权重);
#: - ``medium``: 主管部门及代码 / 实施单位, 中期资金总额 beside 年度资金总额, and the medium-term and
#:   the year's indicator column sets side by side (the year's give the declaration's indicators);
#: - ``long``: one table for all the unit's projects, one row per indicator, the project's name,
#:   unit, amount and goals merged down (项目名称 | 项目单位 | 预算数 | 年度绩效目标 | 一级指标 ...);
#: - ``special``: the 专项/区域 form a finance bureau attaches to its notice: 资金名称 for the project,
#:   the money's path (区县财政部门, then the declaring 区县主管部门), 年度金额（万元） over its parts
#:   其中：中央补助 and 地方资金, the total sometimes left blank (its part then gives the amount), and
#:   the table's header one cell right of the 绩效指标 label.
LAYOUTS = ("seed", "county", "split", "medium", "long", "special", "approved", "general", "wide", "across")
#: the layouts whose forms print last year's budget and spending (the others print none)
PRIOR_LAYOUTS = ("seed", "split")

#: the shipped sample: ``--sample``
SAMPLE = Params(units=30, years=(2019, 2023), seed=20240601, quirks=0.1)

#: the parameters when none are given
DEFAULT = Params()
