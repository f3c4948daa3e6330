"""The command line in Chinese by default and in English on request: the catalogue complete in both
languages, the language chosen as documented, help and typical errors said in the chosen one."""

from __future__ import annotations

import argparse
import inspect
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import cli, messages
from analysis.catalogue import ARGPARSE, MESSAGES
from analysis.synthetic.params import LAYOUTS

SRC = Path(__file__).resolve().parents[1] / "src" / "analysis"
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]")
COMMANDS = [*cli.COMMANDS, *cli.LISTINGS]


def _fields(text: str) -> set[str]:
    return {f for _lit, f, _spec, _conv in string.Formatter().parse(text) if f is not None}


# ----------------------------------------------------------------------------- the catalogue


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_has_both_languages_with_the_same_placeholders(key):
    zh, en = MESSAGES[key]
    assert zh.strip() and en.strip(), key
    assert _fields(zh) == _fields(en), key
    values = {f: 1 for f in _fields(zh)}
    assert zh.format(**values) and en.format(**values)  # the format specs fit a number
    if CJK.search(en):  # English names the Chinese form it is about, nothing else in Chinese
        assert key == "cli.description", (key, en)
    if re.search(r"[A-Za-z]{4,}", re.sub(r"\{[^}]*\}", "", zh)) and not CJK.search(zh):
        pytest.fail(f"{key}: the Chinese text is English: {zh!r}")


def test_every_key_the_code_asks_for_is_in_the_catalogue_and_every_entry_is_asked_for():
    source = "\n".join(p.read_text(encoding="utf-8") for p in SRC.rglob("*.py") if p.name != "catalogue.py")
    asked = set(re.findall(r"""\b(?:_|plural|number)\(\s*"([a-z][a-z_]*(?:\.[a-z0-9_]+)+)\"""", source))
    asked |= set(re.findall(r"""zero="([a-z_]+\.[a-z_]+)\"""", source))
    missing = {k for k in asked if k not in MESSAGES and not any(m.startswith(k + ".") for m in MESSAGES)}
    assert not missing, f"asked for, not in the catalogue: {sorted(missing)}"
    prefixes = set(re.findall(r"""f"([a-z][a-z_]*(?:\.[a-z_]+)*)\.\{""", source))
    prefixes |= {k for k in asked if k not in MESSAGES}  # plural("ingest.files", n): .one and .many
    unused = [
        k
        for k in MESSAGES
        if k not in asked and f'"{k}"' not in source and not any(k.startswith(p + ".") for p in prefixes)
    ]
    assert not unused, f"in the catalogue, asked for nowhere: {unused}"


@pytest.mark.parametrize("english", sorted(ARGPARSE))
def test_argparse_words_are_argparse_own_with_the_same_placeholders(english):
    assert repr(english)[1:-1] in inspect.getsource(argparse) or english in inspect.getsource(argparse)
    percent = re.compile(r"%(?:\(\w+\))?[sr]")
    assert sorted(percent.findall(ARGPARSE[english])) == sorted(percent.findall(english))
    assert CJK.search(ARGPARSE[english])


# ----------------------------------------------------------------------------- choosing the language


@pytest.mark.parametrize(
    "environ, lang",
    [
        pytest.param({}, "zh", id="nothing-set"),
        pytest.param({"LANG": "C.UTF-8"}, "zh", id="C-locale"),
        pytest.param({"LANG": "zh_CN.UTF-8"}, "zh", id="chinese-locale"),
        pytest.param({"LANG": "en_US.UTF-8"}, "en", id="english-locale"),
        pytest.param({"LC_MESSAGES": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en", id="lc-messages-first"),
        pytest.param({"LC_ALL": "zh_CN.UTF-8", "LC_MESSAGES": "en_GB"}, "zh", id="lc-all-first"),
        pytest.param({"ANALYSIS_LANG": "zh", "LC_ALL": "en_US.UTF-8"}, "zh", id="project-variable-first"),
        pytest.param({"ANALYSIS_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en", id="project-variable-english"),
        pytest.param({"ANALYSIS_LANG": "", "LANG": "en_US.UTF-8"}, "en", id="empty-is-unset"),
    ],
)
def test_the_language_is_read_from_the_environment_as_documented(environ, lang):
    assert messages.from_environment(environ) == lang


def test_a_language_chosen_comes_before_the_environment_and_is_given_back(monkeypatch):
    monkeypatch.setenv("ANALYSIS_LANG", "en")
    assert messages._("kind.unit") == "unit"
    with messages.in_language("zh"):
        assert messages._("kind.unit") == "单位"
    assert messages._("kind.unit") == "unit" and messages.language() == "en"
    assert messages._("kind.unit", lang="zh") == "单位"  # what a report says, whatever the locale
    with pytest.raises(ValueError):
        messages.set_language("fr")


# ----------------------------------------------------------------------------- help


def _help(capsys, argv) -> str:
    with pytest.raises(SystemExit) as done:
        cli.main(argv)
    assert done.value.code == 0
    return capsys.readouterr().out


def _english_words(text: str) -> set[str]:
    """Words of four letters or more left once options, paths, names of files and of the
    environment and the project's own identifiers are taken out."""
    text = re.sub(r"--?[\w-]+|\w+(?:-\w+)+|\S*[/.]\S*|\b[A-Z_]{4,}\b|python\s+-m\s+analysis\s+\w+", " ", text)
    allowed = {"python", "analysis", "local", "LocalCluster", "HTML", "Excel", "script", *COMMANDS}
    allowed |= set(LAYOUTS)  # the layouts' names
    return set(re.findall(r"[A-Za-z]{4,}", text)) - allowed


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_chinese_by_default_and_english_with_lang_en(command, capsys):
    argv = [command] if command else []
    zh = _help(capsys, [*argv, "--help"])
    assert zh.startswith("用法：python -m analysis") and "显示此帮助信息并退出" in zh
    assert not _english_words(zh), _english_words(zh)
    en = _help(capsys, ["--lang", "en", *argv, "--help"])
    assert en.startswith("usage: python -m analysis") and "show this help message and exit" in en
    assert not CJK.search(en.replace("财政项目支出绩效目标表", "")), en
    # the option after the command, and the project's variable, choose it too
    if command:
        assert _help(capsys, [command, "--help", "--lang", "en"]) == en


def test_the_variable_and_the_locale_choose_english_for_a_process(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("ANALYSIS_LANG", "LC_ALL", "LC_MESSAGES")}
    run = [sys.executable, "-m", "analysis", "units", "--processed", str(tmp_path)]
    chinese = subprocess.run(run, capture_output=True, text=True, env={**env, "LANG": "C.UTF-8"}, timeout=120)
    english = subprocess.run(run, capture_output=True, text=True, env={**env, "LANG": "en_US.UTF-8"}, timeout=120)
    assert chinese.returncode == english.returncode == 2
    assert chinese.stderr.startswith("找不到 ") and "请先运行 python -m analysis ingest" in chinese.stderr
    assert "declarations.parquet not found: run `python -m analysis ingest` first" in english.stderr


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_a_long_chinese_help_line_wraps_within_the_terminal(command, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "60")
    text = _help(capsys, [command, "--help"] if command else ["--help"])
    wide = [line for line in text.splitlines() if cli._columns(line) > 58]  # argparse keeps 2 columns free
    assert not wide, wide
    assert not any(line.strip().startswith(("，", "。", "）", "：")) for line in text.splitlines())


# ----------------------------------------------------------------------------- typical errors


@pytest.mark.parametrize(
    "argv, zh, en",
    [
        pytest.param(
            ["reports", "--bogus"],
            "错误：无法识别的参数：--bogus",
            "error: unrecognized arguments: --bogus",
            id="unknown-option",
        ),
        pytest.param(
            ["generate"],
            "错误：缺少必需的参数：--out",
            "error: the following arguments are required: --out",
            id="missing-option",
        ),
        pytest.param([], "缺少必需的参数：命令", "the following arguments are required: COMMAND", id="no-command"),
        pytest.param(["nonsense"], "无效的选择：'nonsense'", "invalid choice: 'nonsense'", id="unknown-command"),
        pytest.param(
            ["generate", "--out", "x", "--years", "2023-2019"],
            "年度须在 1990-2100 之内",
            "years must run forwards",
            id="bad-years",
        ),
        pytest.param(
            ["reports", "--years", "二〇二一"], "不是整数（年份）", "is not a whole number of year", id="bad-year"
        ),
    ],
)
def test_usage_errors_in_both_languages(argv, zh, en, capsys):
    for lang, expected in (("zh", zh), ("en", en)):
        with pytest.raises(SystemExit) as done:
            cli.main(["--lang", lang, *argv])
        assert done.value.code == 2
        err = capsys.readouterr().err
        assert expected in err, err
        assert ("用法：" in err) == (lang == "zh") and ("usage:" in err) == (lang == "en")


def test_a_unit_the_data_do_not_hold_in_both_languages(tmp_path, capsys):
    from seedkit import make_processed

    processed = make_processed(tmp_path / "p")
    argv = ["reports", "--processed", str(processed), "--out", str(tmp_path / "out"), "--quiet", "--no-export"]
    assert cli.main([*argv, "--units", "上海市水务局执法", "--years", "2030"]) == 2
    err = capsys.readouterr().err
    assert "单位不存在：上海市水务局执法。您是否要找：上海市水务局执法总队？" in err
    assert cli.main(["--lang", "en", *argv, "--units", "上海市水务局执法", "--years", "2030"]) == 2
    err = capsys.readouterr().err
    assert "No unit 上海市水务局执法 in the data. Did you mean: 上海市水务局执法总队?" in err
    assert "No year 2030 in the data. The years in the data: 2019, 2020, 2021." in err
    assert cli.main(["--lang", "en", "units", "--processed", str(tmp_path / "none")]) == 2
    assert "not found: run `python -m analysis ingest` first" in capsys.readouterr().err


def test_the_notebooks_say_a_missing_unit_in_chinese_whatever_the_locale(tmp_path, monkeypatch):
    from analysis.reports import data

    from seedkit import make_processed

    monkeypatch.setenv("ANALYSIS_LANG", "en")  # a kernel inherits the user's locale
    processed = make_processed(tmp_path / "p")
    with pytest.raises(data.NotInData, match="单位不存在：上海市水务局执法。您是否要找"):
        data.load_unit(processed, "上海市水务局执法")


def test_tables_of_another_version_are_said_in_the_chosen_language():
    import pyarrow as pa

    from analysis import tables

    schema = pa.schema([f for f in tables.SCHEMAS["problems"] if f.name != "severity"])
    for lang, says in (
        ("zh", "p.parquet：缺少列 severity。该表由其他版本写入：请重新运行"),
        ("en", "missing column(s) severity"),
    ):
        with messages.in_language(lang), pytest.raises(tables.SchemaError) as err:
            tables.check_schema(schema, "problems", where="p.parquet")
        assert says in str(err.value)


def test_an_error_of_the_package_reaching_the_command_line_is_one_line(tmp_path, monkeypatch, capsys):
    from analysis import tables
    from analysis.reports import show

    from seedkit import make_processed

    processed = make_processed(tmp_path / "p")

    def another_version(*_a, **_k):
        raise tables.SchemaError(
            "p/declarations.parquet：缺少列 unit。该表由其他版本写入：请重新运行 python -m analysis ingest。"
        )

    monkeypatch.setattr(show, "available", another_version)
    assert cli.main(["units", "--processed", str(processed)]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("错误：p/declarations.parquet：缺少列 unit") and err.count("\n") == 1 and "Traceback" not in err
    )
