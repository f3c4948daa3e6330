"""Findings about the input: every one becomes a row of ``problems.parquet``.

Each finding has a stable ``code`` (a slug analysts can filter on), a ``severity``
(``error``: something could not be read and is missing from the tables; ``warning``:
read, but suspicious) and a message saying what is wrong and where.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"

#: code -> (severity, meaning, what the reports say in Chinese): the one home of every code. The
#: README's table of problem codes follows it (a test checks), the reports use the Chinese line.
_DEFINITIONS: dict[str, tuple[str, str, str]] = {
    # files
    "empty-file": (ERROR, "the file is empty", "文件为空"),
    "unreadable-file": (ERROR, "the file could not be opened or read", "文件无法打开或读取"),
    "undecodable": (
        ERROR,
        "the bytes are no text in any supported encoding (binary file?)",
        "文件内容不是任何支持编码的文本（可能是二进制文件）",
    ),
    "unsupported-format": (
        ERROR,
        "a file type that holds no declaration this project can read (an old binary Word .doc: convert it to .docx)",
        "不支持的文件类型，未读取（如旧版 Word .doc：请转换为 .docx）",
    ),
    "parse-failed": (
        ERROR,
        "reading the file failed unexpectedly; its declarations are missing (please report it with the file)",
        "读取文件时意外出错，其中的申报表缺失（请附文件反馈）",
    ),
    "no-text-layer": (
        ERROR,
        "a PDF (or some of its pages) without a text layer, a scan: not read (run OCR first)",
        "PDF（或其部分页面）没有文字层，是扫描件：未读取（请先做文字识别）",
    ),
    "pages-not-read": (
        ERROR,
        "pages of a PDF not read (the problem names them): those past the pages read at most, a damaged "
        "page, or a page over a page's bounds (characters drawn, content inflated); the other pages are read",
        "PDF 的部分页面未读取（问题中列出页码）：超出读取页数上限的页面、损坏的页面，或超出单页上限（字符数、解压后内容）的页面；其余页面照常读取",
    ),
    "no-declaration": (
        ERROR,
        "the file holds text but no declaration (no 绩效目标表 header nor 项目名称 row)",
        "文件中有文字但没有申报表（既无“绩效目标表”表头，也无“项目名称”行）",
    ),
    "file-too-large": (
        ERROR,
        "the file is over a bound per file (size, uncompressed size, rows or cells; see the ingest's options); it is not read",
        "文件超过单个文件的上限（大小、解压后大小、行数或单元格数，见导入选项），未读取",
    ),
    "file-timeout": (
        ERROR,
        "reading the file took longer than the time allowed per file; it is not read",
        "读取文件超过单个文件的时间上限，未读取",
    ),
    "truncated-file": (
        ERROR,
        "the file has more rows than the bound per file: the declarations complete before the bound are read, "
        "the rows after it are not",
        "文件行数超过单个文件的上限：上限之前完整的申报表已读取，之后的行未读取",
    ),
    "outside-input": (
        ERROR,
        "a link inside the input folder points to a folder, or to a file of no format read, outside it; it is not followed",
        "输入文件夹中的链接指向文件夹之外的文件夹或非申报表格式的文件，未读取",
    ),
    "lookalike-name": (
        WARNING,
        "two file names read the same once Unicode-normalised (NFC and NFD spellings); the one not in NFC is "
        "shown with \\u escapes",
        "两个文件名在 Unicode 规范化后相同（NFC 与 NFD 写法）；非 NFC 的文件名以 \\u 转义显示",
    ),
    "bad-file-name": (
        WARNING,
        "the file name is not UTF-8 (an archive unpacked with another encoding); its bad bytes are shown as \\x escapes",
        "文件名不是 UTF-8（可能是以其他编码解压的压缩包），无法识别的字节以 \\x 转义显示",
    ),
    "bad-bytes": (
        WARNING,
        "a few bytes are no text in the file's encoding (a damaged file): shown as U+FFFD, control characters removed",
        "少量字节不符合文件编码（文件损坏），显示为 U+FFFD，控制字符已删除",
    ),
    "unclosed-quote": (
        WARNING,
        "a cell opens a double quote that never closes; the quote is kept as text",
        "单元格的双引号未闭合，引号按文字保留",
    ),
    # declarations
    "unit-not-printed": (
        WARNING,
        "the declaration names no unit: it is kept with the unit taken from its file's folder, or left "
        "empty (reports name it 未印单位)",
        "申报表未列明单位：单位取自文件所在文件夹名，或留空（报告中称“未印单位”）",
    ),
    "project-from-title": (
        WARNING,
        "the declaration prints no 项目名称: the project is the fund or project its title names",
        "申报表未列项目名称：项目取自表题所列资金或项目名称",
    ),
    "transposed-table": (
        WARNING,
        "an indicator table printed across (the indicators as columns) with no row of targets under its header "
        "(a copy cut after it): no indicator is read from it",
        "绩效指标表为横排（指标为列），表头下没有目标值行（如副本在表头处截断）：未读取到指标",
    ),
    "missing-field": (
        ERROR,
        "a required field (unit, year or project) is missing: the declaration is not in the tables",
        "缺少必填项（单位、年度或项目），该申报表未进入数据表",
    ),
    "declaration-failed": (
        ERROR,
        "reading one declaration failed unexpectedly; it is not in the tables, the others of its file are (please report it with the file)",
        "读取某一申报表时意外出错，该表未进入数据表，同一文件中的其他申报表不受影响（请附文件反馈）",
    ),
    "duplicate-declaration": (
        WARNING,
        "the same declaration appears in more than one place; kept once",
        "同一申报表出现多次，只保留一份",
    ),
    "conflicting-declaration": (
        ERROR,
        "another declaration with the same unit, year and project has different content; only the first is kept",
        "单位、年度、项目相同但内容不同的申报表，只保留第一份",
    ),
    "year-mismatch": (
        WARNING,
        "the year of the header and of the target heading differ",
        "表头年度与绩效目标标题的年度不一致",
    ),
    "place-ambiguous": (
        WARNING,
        "the names of places the unit's name, the form or the folders hold allow several places (a district "
        "name many cities have, names of different provinces); only what they share is kept",
        "单位名称、表内字段或文件夹中的地名可对应多个地方（多个城市都有的区名，或不同省份的地名），只保留其共同部分",
    ),
    "place-contradicts-folder": (
        WARNING,
        "the place the unit's name or the form names lies outside the place its folders name; the form's place is kept",
        "单位名称或表内所写地方不在文件夹所标地方之内，采用表内地方",
    ),
    "year-inferred": (
        WARNING,
        "the declaration prints no year; it is taken from the project's period within one year, the date "
        "printed on the form or the file's name",
        "申报表未印年度，年度取自一年内的项目起止时间、表上的填报日期或文件名",
    ),
    "unknown-field": (
        WARNING,
        "a labelled field this project does not know; its value is not in the tables",
        "未知的字段，其值未进入数据表",
    ),
    "bad-amount": (WARNING, "an amount that is no number; stored as null", "金额不是数字，记为空"),
    "bad-date": (WARNING, "a date in no known format; stored as null", "日期格式无法识别，记为空"),
    "bad-boolean": (WARNING, "a 是/否 field with another value; stored as null", "“是/否”字段的值不是是或否，记为空"),
    "negative-amount": (
        WARNING,
        "an amount below zero; kept as published, not compared with the other amounts",
        "金额为负数，按原样保留，不参与与其他金额的比较",
    ),
    "unsafe-characters": (
        WARNING,
        "a name holds bidi controls (U+202E …) or characters XML cannot hold (U+FFFF …); kept as published",
        "名称含双向控制字符（如 U+202E）或 XML 不允许的字符（如 U+FFFF），按原样保留",
    ),
    "missing-amount": (
        WARNING,
        "the total or the year budget is blank, or no amount is printed",
        "项目总预算或当年预算为空",
    ),
    "amount-from-parts": (
        WARNING,
        "the form prints no amount, only its parts numbered （一）（二）…; their sum is read as the year's budget",
        "表中未列资金总额，仅列（一）（二）…各项，以各项之和作为当年预算",
    ),
    "amount-unit-assumed": (
        WARNING,
        "no money unit (元/万元) is printed for an amount; the unit read is said in the message",
        "金额未注明单位（元/万元），所采用的单位见说明",
    ),
    "year-over-total": (WARNING, "the year budget is above the total budget", "当年预算高于项目总预算"),
    "executed-over-budget": (
        WARNING,
        "last year's executed amount is above last year's budget",
        "上年执行数高于上年预算",
    ),
    "dates-outside-year": (
        WARNING,
        "the planned period does not touch the declaration's year, or ends before it starts",
        "计划起止日期与申报年度不相交，或结束早于开始",
    ),
    "text-budget-mismatch": (
        WARNING,
        "a budget stated in the text disagrees with the table",
        "文字中写明的预算与表格不一致",
    ),
    # indicators
    "no-indicators": (
        WARNING,
        "the declaration has no indicator table or an empty one",
        "申报表没有绩效指标表或指标表为空",
    ),
    "truncated-table": (
        WARNING,
        "the input ends inside the indicator table; the last row is incomplete",
        "文件在指标表中间结束，最后一行不完整",
    ),
    "shifted-row": (
        WARNING,
        "an indicator row arrived shifted left (its merged first cell dropped); read by what its cells are",
        "指标行左移（合并单元格的首格缺失），已按内容识别",
    ),
    "missing-target": (WARNING, "an indicator without a target value", "指标没有目标值"),
    "bad-target": (WARNING, "a target with an operator but no number", "目标值有运算符但没有数字"),
    "percent-over-100": (WARNING, "a percent target above 100", "百分比目标高于 100%"),
    "form-not-analysed": (
        WARNING,
        "forms of a web page, Word file or PDF that declare no project and are not analysed (部门整体支出绩效目标表: "
        "a department's targets as a whole): passed over, counted once per file with their pages",
        "文件中的部门整体支出绩效目标表（不针对具体项目）不在分析范围内：已跳过，每个文件报告一次并注明页码",
    ),
    "unrecognized-row": (
        WARNING,
        "a row inside a declaration that is neither a field nor an indicator; ignored",
        "申报表中既不是字段也不是指标的行，已忽略",
    ),
}


#: code -> (severity, meaning)
CODES: dict[str, tuple[str, str]] = {code: (sev, meaning) for code, (sev, meaning, _) in _DEFINITIONS.items()}
#: code -> its Chinese line
CHINESE: dict[str, str] = {code: zh for code, (_, _, zh) in _DEFINITIONS.items()}


def markdown() -> str:
    """The table of problem codes in the README and docs/formats.md, generated from the definitions."""
    lines = ["| code | severity | meaning | 说明 |", "|---|---|---|---|"]
    lines += [f"| `{c}` | {sev} | {meaning} | {zh} |" for c, (sev, meaning, zh) in _DEFINITIONS.items()]
    return "\n".join(lines)


SEVERITY_CHINESE = {ERROR: "错误", WARNING: "警告"}


def chinese(code: str) -> str:
    """The Chinese description of ``code`` (the code itself when it is not known)."""
    return CHINESE.get(code, code)


@dataclass(frozen=True)
class Problem:
    source_file: str
    source_line: int | None
    code: str
    message: str
    decl_id: str | None = None

    @property
    def severity(self) -> str:
        return CODES[self.code][0]

    def as_row(self) -> dict:
        # (by hand, not dataclasses.asdict, which copies each value deeply: an ingest makes
        # a row of every problem of every file, the cached ones too)
        return {
            "source_file": self.source_file,
            "source_line": self.source_line,
            "code": self.code,
            "message": self.message,
            "decl_id": self.decl_id,
            "severity": self.severity,
        }


# ----------------------------------------------------------------------------- messages in Chinese

import re as _re  # noqa: E402

#: (pattern, Chinese) for the details the ingest writes in English, tried in turn on the message
#: without its place (the file and line are columns of their own); ``\1`` … refer to the groups
_PHRASES: tuple[tuple[str, str], ...] = (
    (r"indicator row shifted (\d+) cell\(s\) left; read as (.*)", r"指标行向左错位 \1 格，按“\2”读取"),
    (r"unknown field (.*); its value is not kept", r"未知的字段 \1，其值未保留"),
    (r"(.*) holds no year \((.*)\); its value is not kept", r"\1 中没有年度（\2），其值未保留"),
    (r"a row that is neither a field nor an indicator: (.*)", r"既不是字段也不是指标的行：\1"),
    (r"(\d+) row\(s\) outside any declaration; ignored", r"\1 行不属于任何申报表，已忽略"),
    (
        r"the header says (\d+)年度 but the targets are headed (\d+)年; (\d+) is used",
        r"表头为 \1年度，绩效目标标题为 \2年；采用 \3年",
    ),
    (r"the declaration prints no year; (\d+) is taken from (.*)", r"申报表未印年度，\1年取自\2"),
    (r"declaration without (.*); it is not in the tables", r"申报表缺少 \1，未进入数据表"),
    (r"项目当年预算 ([\d,.]+) is above 项目总预算 ([\d,.]+)", r"项目当年预算 \1 元超过项目总预算 \2 元"),
    (r"上年预算执行数 ([\d,.]+) is above 上年预算额 ([\d,.]+)", r"上年预算执行数 \1 元超过上年预算额 \2 元"),
    (
        r"the input ends inside the indicator table: (.*) has no target",
        r"文件在指标表中间结束：\1 没有目标值",
    ),
    (r"(.*) has no target value", r"\1 没有目标值"),
    (r"(.*): target (.*) is a number too large to hold", r"\1：目标值 \2 的数字过大"),
    (r"(.*): target (.*) is no date that exists", r"\1：目标值 \2 不是存在的日期"),
    (r"(.*): target (.*) has an operator but no number", r"\1：目标值 \2 有运算符但没有数字"),
    (
        r"the text says the budget is (.*) \(([\d,.]+) 元\) but the table says (.*) 元",
        r"文字中的预算为 \1（\2 元），表中为 \3 元",
    ),
    (
        r"declaration (.*) repeats the one at (.*); kept once \(from (.*)\)",
        r"申报表 \1 与 \2 处的重复，只保留一份（来自 \3）",
    ),
    (
        r"declaration (.*) differs from the one at (.*); only that one is kept — check which is right",
        r"申报表 \1 与 \2 处的不一致，只保留那一份，请核对哪一份正确",
    ),
    (r"declaration (.*) is contradicted by (.*); this one is kept", r"申报表 \1 与 \2 处的不一致，保留本份"),
    (r"the file is empty", "文件为空"),
    (r"the workbook has no filled cell", "工作簿中没有填写内容的单元格"),
)
_COMPILED = tuple((_re.compile(p, _re.S), zh) for p, zh in _PHRASES)
#: the row that stands for the problems of one code folded in a file (see analysis.ingest.limits)
_FOLDED = _re.compile(
    r"and ([\d,]+) more ([\w-]+) (?:error|warning)\(s\) in this file, the first at (?:line (\d+)|the file) "
    r"\((.*)\); only the first (\d+) are listed one by one",
    _re.S,
)
_PLACE = _re.compile(r"^(?P<file>[^:]*?)(?:, (?:line|page|table) [\d, a-z]*)*: ")


def chinese_message(code: str, message, source_file=None) -> str:
    """What the reports and the workbook say for a problem's ``message``: in Chinese, without the
    file and line at its start (those are columns of their own).

    The ingest's messages are matched against known phrasings; one that matches none is said by
    its code's meaning (:func:`chinese`), and the quoted text of the message kept (the words of the
    file itself); the original message stays in ``problems.parquet`` and the CSV export."""
    if message is None or (isinstance(message, float) and message != message):
        return chinese(code)
    text = str(message)
    m = _PLACE.match(text)
    if m and (source_file is None or m.group("file") in ("", str(source_file)) or "line" in m.group(0)):
        text = text[m.end() :]
    folded = _FOLDED.fullmatch(text.strip())
    if folded:
        n, folded_code, line, first, listed = folded.groups()
        where = f"第 {line} 行" if line else "文件开头"
        return (
            f"本文件另有 {n} 条“{chinese(folded_code)}”问题，只逐条列出前 {listed} 条"
            f"（第一条在{where}：{chinese_message(folded_code, first, source_file)}）"
        )
    for pattern, zh in _COMPILED:
        hit = pattern.fullmatch(text.strip())
        if hit:
            return hit.expand(zh)
    if not _re.search(r"[A-Za-z]{3,}", text):
        return text
    quoted = _re.findall(r"'([^']*)'|“([^”]*)”", text)
    kept = "；".join(a or b for a, b in quoted if (a or b))
    return chinese(code) + (f"（{kept}）" if kept else "")
