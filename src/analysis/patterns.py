"""Text patterns that both the ingest and the analysis read, so neither stage imports the other."""

from __future__ import annotations

import re

#: a budget stated in prose (本项目预算为49万元): the ingest checks it against the table
#: (``text-budget-mismatch``) and the review shows it as evidence
TEXT_BUDGET = re.compile(
    r"预算(?:总)?(?:经费|资金|金额|总额|额)?(?:总额|合计)?(?:为|是|共计|共|合计|总计)?\s*(?:人民币)?\s*([\d,]+(?:\.\d+)?)\s*(亿元|万元|元)"
)
