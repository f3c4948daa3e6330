"""Property tests: real declarations, mutated, in every encoding. No exception escapes, and
every declaration whose lines were left untouched is still parsed exactly."""

import codecs
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.ingest import ingest
from analysis.ingest.file import read_declarations

import seedkit as kit

# four distinct declarations (own year and project each), so no mutation of one can take
# another's identity
BLOCKS = [
    kit.replace(kit.with_year(kit.DECL1, 2020), f"项目名称：\t{kit.P1}", f"项目名称：\t{kit.P1}（一）"),
    kit.replace(kit.with_year(kit.DECL2, 2021), f"项目名称：\t{kit.P2}", f"项目名称：\t{kit.P2}（二）"),
    kit.replace(kit.with_year(kit.DECL1, 2022), f"项目名称：\t{kit.P1}", f"项目名称：\t{kit.P1}（三）"),
    kit.replace(kit.with_year(kit.DECL2, 2023), f"项目名称：\t{kit.P2}", f"项目名称：\t{kit.P2}（四）"),
]
ENCODINGS = {  # name -> (BOM, codec for the body)
    "utf-8": (b"", "utf-8"),
    "utf-8-sig": (codecs.BOM_UTF8, "utf-8"),
    "gb18030": (b"", "gb18030"),
    "utf-16-le-bom": (codecs.BOM_UTF16_LE, "utf-16-le"),
    "utf-16-be-bom": (codecs.BOM_UTF16_BE, "utf-16-be"),
    "utf-16-le": (b"", "utf-16-le"),
}
_REF: dict[int, tuple[dict, list[dict]]] = {}


def reference(k: int):
    """Block ``k`` read alone: its declaration row and indicator rows, without positions."""
    if k not in _REF:
        with tempfile.TemporaryDirectory() as d:
            p = Path(d) / "b.txt"
            p.write_text(kit.join(BLOCKS[k]), "utf-8")
            res = read_declarations(p, "b.txt")
        assert len(res.declarations) == 1
        _REF[k] = strip(res.declarations[0], res.indicator_dicts()[0])
    return _REF[k]


def strip(row: dict, inds: list[dict]):
    row = {k: v for k, v in row.items() if k not in ("source_file", "source_line")}
    start = inds[0]["source_line"] if inds else 0
    # indicator lines relative to the first: exact, wherever the block landed
    return row, [
        {**{k: v for k, v in i.items() if k != "source_line"}, "offset": i["source_line"] - start} for i in inds
    ]


@st.composite
def mutated_block(draw, k: int):
    lines = list(BLOCKS[k])
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["drop", "repeat", "swap", "garble", "cut", "behead"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "drop":
            del lines[i]
        elif op == "repeat":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "garble":
            lines[i] = draw(
                st.text(
                    alphabet=st.sampled_from(list('\t"：:>=≥%年月一级目标规范0123456789 \u3000\u00a0') + ["\r", "\n"])
                    | st.characters(codec="utf-8", exclude_categories=["Cs"]),
                    max_size=30,
                )
            )
        elif op == "cut":  # the end lost
            lines = lines[:i]
        elif op == "behead":  # the header rows lost
            lines = lines[draw(st.integers(1, 8)) :]
    inserts = (
        draw(st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=4)), max_size=3))
        if draw(st.booleans())
        else []
    )
    return lines, inserts


@st.composite
def corpus(draw):
    order = draw(st.permutations(range(len(BLOCKS))))
    n = draw(st.integers(1, len(BLOCKS)))
    encoding = draw(st.sampled_from(sorted(ENCODINGS)))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    parts, intact = [], []
    for k in order[:n]:
        if draw(st.booleans()):
            parts.append(draw(mutated_block(k)))
        else:
            parts.append((list(BLOCKS[k]), []))
            intact.append(k)
    bom, codec = ENCODINGS[encoding]
    unit = 2 if codec.startswith("utf-16") else 1
    data = bytearray(bom)
    for i, (lines, inserts) in enumerate(parts):
        if i:
            data += newline.encode(codec) * 2  # a blank line between declarations
        body = bytearray(newline.join(lines).encode(codec, errors="replace"))
        for where, junk in sorted(inserts, reverse=True):
            at = int(where * len(body)) // unit * unit
            junk = junk if unit == 1 else junk + b"\x00" * (len(junk) % 2)
            body[at:at] = junk
        data += body
    data += newline.encode(codec)
    return bytes(data), intact, encoding


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(corpus())
def test_mutated_declarations_never_crash_and_intact_ones_parse_exactly(case):
    data, intact, encoding = case
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "f.txt"
        p.write_bytes(data)
        res = read_declarations(p, "f.txt")  # must not raise
        by_project = {}
        for row, inds in zip(res.declarations, res.indicator_dicts()):
            by_project.setdefault(row["project"], []).append(strip(row, inds))
        for k in intact:
            ref_row, ref_inds = reference(k)
            got = by_project.get(ref_row["project"], [])
            assert (ref_row, ref_inds) in got, (encoding, k)
        assert res.found >= len(intact)
        r = ingest(d)  # must not raise either, and its ledger must close
        assert r.summary["ledger_ok"]
        assert r.summary["declarations"] >= len(intact)


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_are_read_or_reported(data):
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "x.txt"
        p.write_bytes(data)
        res = read_declarations(p, "x.txt")
        assert res.found == len(res.declarations) + sum(1 for q in res.problems if q.code == "missing-field")
        if not res.declarations:
            assert res.problems or not data.strip()
