"""The text of a PDF page: its characters as lines, a cell's lines joined where its width wrapped
them, and tables drawn without ruling lines read from where their text is placed.

A table without ruling lines (text placed in columns, as an office suite prints a table whose
borders are off) is found among a page's lines: a run of lines in the cells' font size, one at
least holding two chunks of text (characters more than a character's width apart). Its columns
start where its chunks start; a chunk belongs to the column it starts in, so a cell spanning
columns comes out in its first one, blanks after it, as in a text export. A cell's lines lie
closer together than two rows do: a column's chunks a line's gap apart make one cell. Cells
overlapping vertically make a band, cut into rows where the columns holding the most cells there
(an indicator's name and target, a label) hold two; a cell printed across a cut goes to the row
it starts in.

Where the file's tables centre a cell's text in its height (as a spreadsheet prints them; seen
from a cell of one line beside a wrapped one, and from merged cells), a merged cell's text is
printed at the middle of the rows it spans: in a row of its own floating between two rows (it
goes with the upper), across two, or beside the middle row of three or more, where it goes to
the first row of the span that fits its middle (see :func:`_merged_to_first_row`), as a text
export writes a merged cell.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections import Counter
from dataclasses import dataclass

#: the keys of a character a cell's text is made from (the rest of pdfplumber's dict is let go)
CHAR_KEYS = ("text", "x0", "x1", "top", "bottom", "size")
_CLOSING = set("，。、；：？！）》」』】〕”’,.;:?!)]%％")
#: a gap between two characters wider than this (in character sizes) parts two cells of a line
_CELL_GAP = 1.0
#: how far apart (points) two left edges may lie and still start the same column
_COLUMN_TOLERANCE = 2.0


def is_cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80 or unicodedata.east_asian_width(ch) in ("W", "F")


def lines_of(chars: list[dict]) -> list[list[dict]]:
    """Characters grouped into lines (by their vertical position), each left to right."""
    out: list[list[dict]] = []
    for ch in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if out:
            last = out[-1]
            size = max(last[0]["size"], ch["size"], 1.0)
            if abs(ch["top"] - last[0]["top"]) <= 0.5 * size:
                last.append(ch)
                continue
        out.append([ch])
    for line in out:
        line.sort(key=lambda c: c["x0"])
    return out


def line_text(line: list[dict]) -> str:
    parts = []
    prev = None
    for ch in line:
        text = ch["text"]
        if (
            prev is not None
            and ch["x0"] - prev["x1"] > 0.3 * max(ch["size"], 1.0)
            and text != " "
            and prev["text"] != " "
        ):
            parts.append(" ")
        parts.append(text)
        prev = ch
    return "".join(parts)


def _first_word(line: list[dict]) -> tuple[float, float]:
    """Left and right edge of a line's first word (a CJK character, with closing punctuation after it)."""
    chars = [c for c in line if c["text"].strip()]
    if not chars:
        return line[0]["x0"], line[0]["x0"]
    end = 0
    if is_cjk(chars[0]["text"][:1] or "a"):
        while end + 1 < len(chars) and chars[end + 1]["text"] in _CLOSING:
            end += 1
    else:
        while (
            end + 1 < len(chars)
            and not is_cjk(chars[end + 1]["text"][:1] or "a")
            and chars[end + 1]["x0"] - chars[end]["x1"] < 0.3 * max(chars[end]["size"], 1.0)
        ):
            end += 1
    return chars[0]["x0"], chars[end]["x1"]


def cell_text(chars: list[dict], x0: float, x1: float) -> str:
    """The text of one cell: its lines joined where the width wrapped them, broken where the
    text did (the next line's first word would have fitted on the line, with a fifth of a
    character to spare: a break taken for a wrap loses a line break, one taken for a break would
    put one inside a name or a target)."""
    lines = [[c for c in line] for line in lines_of(chars)]
    lines = [line for line in lines if "".join(c["text"] for c in line).strip()]
    if not lines:
        return ""
    pad = max(0.0, min(line[0]["x0"] - x0 for line in lines))
    right = x1 - pad
    out = line_text(lines[0]).strip()
    for prev, line in itertools.pairwise(lines):
        text = line_text(line).strip()
        last = (
            max(c["x1"] for c in prev if c["text"].strip()) if any(c["text"].strip() for c in prev) else prev[-1]["x1"]
        )
        w0, w1 = _first_word(line)
        # words of Latin letters wrapped apart are two words; a number or a code wrapped inside
        # (1,030,700.|00, 7.|5) has no space
        latin = out[-1:].isascii() and out[-1:].isalpha() and text[:1].isascii() and text[:1].isalpha()
        space = 0.25 * max(line[0]["size"], 1.0) if latin else 0.0
        if last + space + (w1 - w0) <= right - 0.2 * max(line[0]["size"], 1.0):
            out += "\n" + text  # it would have fitted: the text broke the line here
        else:
            out += (" " if latin else "") + text
    return out


# ---------------------------------------------------------------------------------------------
# tables without ruling lines


@dataclass
class _Chunk:
    """Text of one line apart from the rest of the line: one cell's part of the line."""

    chars: list[dict]
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    column: int = 0


@dataclass
class _Block:
    """The chunks of one column that lie a line apart: one cell's text."""

    chunks: list[_Chunk]
    column: int
    top: float = 0.0
    bottom: float = 0.0
    lines: int = 0
    #: placed in a row it does not lie in (printed across two rows, or between them)
    across: bool = False

    def __post_init__(self) -> None:
        self.top = min(c.top for c in self.chunks)
        self.bottom = max(c.bottom for c in self.chunks)
        self.lines = len({round(c.top) for c in self.chunks})

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Alignment:
    """How a file's tables without ruling lines place a cell's text in its height, as far as
    seen: the times a cell sat at the middle of its row (or of the rows it spans) and at its
    top. One publisher prints a file's tables alike; a table showing neither (all its cells of one
    line) goes by the tables before it."""

    middle: int = 0
    top: int = 0

    @property
    def centred(self) -> bool:
        return self.middle > self.top


@dataclass
class Unruled:
    """A table read without ruling lines: its rows of cells, the columns' left edges, and where
    it lies on the page."""

    rows: list[list[str]]
    xs: list[float]
    top: float
    bottom: float
    x1: float
    #: the characters of the cells of its first rows and of its last row, by the column's left
    #: edge (``{x0: (right edge, bottom, chars)}``), to join a row a page break cut
    first: list[dict]
    last: dict


#: full-width punctuation printed in the left half of its width (a cell wrapped at its edge may
#: let one hang past the edge, towards the next cell)
_LEFT_INK = set("、。，．；：！？）》」』】〕”’")


def _ink_right(ch: dict) -> float:
    """Where a character's ink ends: half-way for full-width punctuation set to the left."""
    if ch["text"] in _LEFT_INK:
        return (ch["x0"] + ch["x1"]) / 2
    return ch["x1"]


def _chunks(line: list[dict]) -> list[_Chunk]:
    """A line's chunks: its characters apart by more than a character's width start another
    (white space inside a chunk is kept, around it is not)."""
    out: list[list[dict]] = []
    last: dict | None = None  # the chunk's last printed character
    for ch in line:
        if not ch["text"].strip():
            if out and last is not None:
                out[-1].append(ch)
            continue
        if last is not None and ch["x0"] - _ink_right(last) <= _CELL_GAP * max(ch["size"], last["size"], 1.0):
            out[-1].append(ch)
        else:
            out.append([ch])
        last = ch
    out = [[c for c in cs if c["x0"] < max(x["x1"] for x in cs if x["text"].strip())] for cs in out]
    return [
        _Chunk(
            cs,
            cs[0]["x0"],
            max(c["x1"] for c in cs),
            min(c["top"] for c in cs),
            max(c["bottom"] for c in cs),
            Counter(round(c["size"], 1) for c in cs).most_common(1)[0][0],
        )
        for cs in out
    ]


def _size(chunks: list[_Chunk]) -> float:
    sizes: Counter = Counter()
    for c in chunks:
        sizes[c.size] += len(c.chars)
    return sizes.most_common(1)[0][0]


def page_items(chars: list[dict], alignment: Alignment, first: int) -> list[tuple[float, str | Unruled]]:
    """A page's text as its lines and the tables without ruling lines among them, each with the
    height it starts at: a line as its text, a table as :class:`Unruled` (the characters of its
    ``first`` rows and its last kept). ``alignment`` gathers what the page shows of how cells
    are placed (and is used for the page's tables)."""
    lines = [(line, _chunks(line)) for line in lines_of(chars)]
    lines = [(line, chunks) for line, chunks in lines if chunks]
    multi = [c for _, chunks in lines if len(chunks) > 1 for c in chunks]
    if not multi:
        return [(line[0]["top"], line_text(line).strip()) for line, _ in lines]
    body = _size(multi)
    runs: list[list[tuple[list[dict], list[_Chunk]]]] = [[]]
    for line, chunks in lines:
        if len(chunks) > 1 or abs(_size(chunks) - body) <= 0.15:
            runs[-1].append((line, chunks))
        else:
            runs.extend([[(line, chunks)], []])  # a line of its own size (a title, a heading) is no row
    out: list[tuple[float, str | _Layout]] = []
    for run in runs:
        found = _table([chunks for _, chunks in run], alignment) if run else None
        if found is None:
            out.extend((line[0]["top"], line_text(line).strip()) for line, _ in run)
            continue
        head, table, tail = found
        out.extend((line[0]["top"], line_text(line).strip()) for line, _ in run[:head])
        out.append((table.top, table))
        out.extend((line[0]["top"], line_text(line).strip()) for line, _ in run[len(run) - tail :])
    return [(top, item.read(alignment, first) if isinstance(item, _Layout) else item) for top, item in out]


def _starts(chunks: list[_Chunk]) -> list[float]:
    """Where columns start: the chunks' left edges, those within a tolerance taken as one, left
    to right."""
    xs = sorted(c.x0 for c in chunks)
    groups: list[list[float]] = []
    for x in xs:
        if groups and x - groups[-1][-1] <= _COLUMN_TOLERANCE:
            groups[-1].append(x)
        else:
            groups.append([x])
    return [g[0] for g in groups]


def _column(starts: list[float], x: float) -> int:
    """The column a chunk starting at ``x`` is in: the last that starts at or before it."""
    k = 0
    for i, s in enumerate(starts):
        if s <= x + _COLUMN_TOLERANCE:
            k = i
    return k


@dataclass
class _Layout:
    """A table's cells placed in rows, before a merged cell's text is moved to its first row
    (which waits for the page's other tables: they show how cells are placed)."""

    rows: list[list[_Block]]
    starts: list[float]
    rights: list[float]
    size: float
    top: float
    bottom: float
    x1: float

    def read(self, alignment: Alignment, first: int) -> Unruled:
        rows = self.rows
        if alignment.centred:
            _merged_to_first_row(rows, len(self.starts), self.size)
            rows = [row for row in rows if row]
        grid = []
        edges: dict[int, dict] = {}
        for n, row in enumerate(rows):
            cells = [""] * len(self.starts)
            edge = {}
            bottom = max(b.bottom for b in row)
            for k, start in enumerate(self.starts):
                mine = [c for b in row if b.column == k for c in b.chunks]
                right = max([self.rights[k]] + [c.x1 for c in mine])
                chars = [ch for c in mine for ch in c.chars]
                if mine:
                    cells[k] = cell_text(chars, start, right)
                if n < first or n == len(rows) - 1:
                    edge[start] = (right, bottom, [{key: ch[key] for key in CHAR_KEYS} for ch in chars])
            grid.append(cells)
            if edge:
                edges[n] = edge
        head = [edges[n] for n in range(min(first, len(rows)))]
        return Unruled(grid, self.starts, self.top, self.bottom, self.x1, head, edges.get(len(rows) - 1, {}))


def _table(run: list[list[_Chunk]], alignment: Alignment) -> tuple[int, _Layout, int] | None:
    """The table among a run of lines in one font size: how many lines before it and after it
    are text of their own (a line of one chunk at no column's start), and the table; ``None``
    where no line holds two columns."""
    if not any(len(chunks) > 1 for chunks in run):
        return None
    starts = _starts([c for chunks in run if len(chunks) > 1 for c in chunks])

    def at_start(chunks: list[_Chunk]) -> bool:
        return len(chunks) > 1 or any(abs(chunks[0].x0 - s) <= _COLUMN_TOLERANCE for s in starts)

    head = 0
    while head < len(run) and not at_start(run[head]):
        head += 1
    tail = 0
    while tail < len(run) - head and not at_start(run[len(run) - 1 - tail]):
        tail += 1
    chunks = [c for line in run[head : len(run) - tail] for c in line]
    starts = _starts(chunks)
    for c in chunks:
        c.column = _column(starts, c.x0)
    size = _size(chunks)
    blocks = _blocks(chunks, len(starts), size)
    rows = _rows(blocks, size)
    _vote(rows, alignment, size)
    layout = _Layout(
        rows,
        starts,
        _rights(blocks, starts, size),
        size,
        min(c.top for c in chunks),
        max(c.bottom for c in chunks),
        max(c.x1 for c in chunks),
    )
    return head, layout, tail


def _blocks(chunks: list[_Chunk], n_columns: int, size: float) -> list[_Block]:
    """Each column's chunks grouped into cells: the chunks a line's gap apart. The gap between a
    cell's lines is the middle one of the gaps between two chunks of a column less than three
    quarters of a character (none: no cell wraps, each line is a row)."""
    by_column: list[list[_Chunk]] = [[] for _ in range(n_columns)]
    for c in sorted(chunks, key=lambda c: (c.top, c.x0)):
        by_column[c.column].append(c)
    gaps = sorted(
        b.top - a.bottom for col in by_column for a, b in itertools.pairwise(col) if 0 < b.top - a.bottom < 0.75 * size
    )
    joined = gaps[len(gaps) // 2] + 0.35 * size if gaps else 0.0
    out = []
    for k, col in enumerate(by_column):
        cur: list[_Chunk] = []
        for c in col:
            if cur and c.top - max(x.bottom for x in cur) > joined:
                out.append(_Block(cur, k))
                cur = []
            cur.append(c)
        if cur:
            out.append(_Block(cur, k))
    return out


def _rows(blocks: list[_Block], size: float) -> list[list[_Block]]:
    """The cells grouped into rows: cells overlapping vertically (or less than a quarter of a
    character apart) make a band; a band holding two cells or more of a column is cut between
    the cells of the columns holding the most there (the indicators' names and targets, the
    labels: a level merged over their rows holds fewer), a cell across a cut going with its top.
    A row floating in the gap between two fuller rows, much nearer both than rows lie apart, is
    the text of cells centred on the two, and goes with the upper."""
    bands: list[list[_Block]] = []
    bottom = 0.0
    for b in sorted(blocks, key=lambda b: b.top):
        if bands and b.top < bottom + 0.25 * size:
            bands[-1].append(b)
            bottom = max(bottom, b.bottom)
        else:
            bands.append([b])
            bottom = b.bottom
    rows: list[list[_Block]] = []
    for band in bands:
        by_column: dict[int, list[_Block]] = {}
        for b in band:
            by_column.setdefault(b.column, []).append(b)  # (in the order of their tops)
        most = max(len(col) for col in by_column.values())
        edges = sorted(
            {
                (a.bottom + b.top) / 2
                for col in by_column.values()
                if len(col) == most
                for a, b in itertools.pairwise(col)
            }
        )
        parts: list[list[_Block]] = [[] for _ in range(len(edges) + 1)]
        for b in band:
            parts[sum(1 for e in edges if b.top > e)].append(b)
            b.across = any(b.top < e < b.bottom for e in edges)
        rows.extend(p for p in parts if p)
    tops = [min(b.top for b in row) for row in rows]
    bottoms = [max(b.bottom for b in row) for row in rows]
    gaps = sorted(tops[i + 1] - bottoms[i] for i in range(len(rows) - 1))
    typical = gaps[len(gaps) // 2] if gaps else 0.0
    out: list[list[_Block]] = rows[:1]
    for i in range(1, len(rows)):
        floating = (
            i + 1 < len(rows)
            and tops[i] - bottoms[i - 1] < 0.5 * typical
            and tops[i + 1] - bottoms[i] < 0.5 * typical
            and len(rows[i]) < min(len(rows[i - 1]), len(rows[i + 1]))
        )
        if floating:
            for b in rows[i]:
                b.across = True
            out[-1].extend(rows[i])
        else:
            out.append(rows[i])
    return out


def _vote(rows: list[list[_Block]], alignment: Alignment, size: float) -> None:
    """Count where cells sit: a cell of one line beside a cell of more lines in its row at the
    middle of the tall one or at its top; a cell placed across rows (merged over them) at the top
    of its first row or elsewhere (centred on them)."""
    for row in rows:
        own = [b for b in row if not b.across]
        if not own:
            continue
        top = min(b.top for b in own)
        for b in row:
            if b.across:
                if abs(b.top - top) <= 0.3 * size:
                    alignment.top += 1
                else:
                    alignment.middle += 1
        tall = max(own, key=lambda b: b.bottom - b.top)
        if tall.lines < 2:
            continue
        for b in own:
            if b.lines == 1 and b.top >= tall.top - 0.5 and b.bottom <= tall.bottom + 0.5:
                if abs(b.middle - tall.middle) < abs(b.top - tall.top):
                    alignment.middle += 1
                else:
                    alignment.top += 1


def _extent(row: list[_Block], size: float) -> tuple[float, float]:
    """Where a row of a table centring its cells lies: around the middle most of its cells share
    (a cell merged over more rows is centred elsewhere), as high as its tallest cell there."""
    own = [b for b in row if not b.across] or row
    groups: list[list[_Block]] = []
    for b in sorted(own, key=lambda b: b.middle):
        if groups and b.middle - groups[-1][0].middle <= 0.2 * size:
            groups[-1].append(b)
        else:
            groups.append([b])
    group = max(groups, key=lambda g: (len(g), max(b.bottom - b.top for b in g)))
    middle = sum(b.middle for b in group) / len(group)
    half = max(b.bottom - b.top for b in group) / 2
    return middle - half, middle + half


#: rows a merged cell is looked for over, each side of where its text is printed
_MAX_SPAN = 60


def _merged_to_first_row(rows: list[list[_Block]], n_columns: int, size: float) -> None:
    """In a table centring its cells: a cell printed at the middle of rows its column leaves
    blank around it is a cell merged over them, and goes to their first row (in place; a row may
    be left empty). Column by column from the right, top down, each cell's rows are those whose
    middle is nearest its middle (from the row after the rows the column's cell above spans);
    rows further up are taken where they fit better than its own row, or as well (a cell over
    three rows sits in the middle one) where cells of the column to the right span each of them
    (a level over the rows of its sublevels); else the cell keeps its row."""
    tops, bottoms = zip(*(_extent(row, size) for row in rows), strict=True)
    spans: list[set[int]] = [set() for _ in range(n_columns + 1)]  # the rows each column's cells span
    for k in reversed(range(n_columns)):
        filled = [i for i, row in enumerate(rows) if any(b.column == k for b in row)]
        covered = -1  # the last row a cell of this column spans
        for n, i in enumerate(filled):
            stop = min(filled[n + 1] if n + 1 < len(filled) else len(rows), i + _MAX_SPAN)
            cell = [b for b in rows[i] if b.column == k]
            middle = (min(b.top for b in cell) + max(b.bottom for b in cell)) / 2
            fits = [
                (abs((tops[s] + bottoms[e]) / 2 - middle), s, e)
                for s in range(max(covered + 1, i - _MAX_SPAN), i + 1)
                for e in range(i, stop)
            ]
            stay = min(f for f in fits if f[1] == i)
            moved = min((f for f in fits if f[1] < i), default=None)
            under = [
                f
                for f in fits
                if f[1] < i and f[0] <= stay[0] + 0.15 * size and spans[k + 1].issuperset(range(f[1], f[2] + 1))
            ]
            if moved is not None and moved[0] + 0.15 * size < stay[0]:
                _, start, end = moved  # it fits the rows above better than its own
            elif under:
                _, start, end = min(under, key=lambda f: (f[1], f[0]))  # as well, over its sublevels
            else:
                _, start, end = stay
            if start != i:
                for b in cell:
                    rows[i].remove(b)
                    rows[start].append(b)
            spans[k].update(range(start, end + 1))
            covered = end


def _rights(blocks: list[_Block], starts: list[float], size: float) -> list[float]:
    """Where each column's cells wrap: the next column's start less the cells' padding; the last
    column's furthest text. The padding is the narrowest gap seen between a line of a cell that
    goes on to another line (wrapped near the edge, or broken where the text broke: wider) and
    the next column, else between any line and the next column, at most two characters (a
    label broken on purpose is no measure of the edge)."""

    def gaps(wrapped: bool) -> list[float]:
        out = []
        for b in blocks:
            if b.column + 1 >= len(starts):
                continue
            last = max(c.top for c in b.chunks)
            for c in b.chunks:
                if c.x1 < starts[b.column + 1] and (not wrapped or c.top < last):
                    out.append(starts[b.column + 1] - _ink_right(c.chars[-1]))
        return [g for g in out if g > 0]

    pad = min(gaps(True) or gaps(False) or [0.0])
    pad = min(pad, 2 * size)
    out = []
    for k, start in enumerate(starts):
        if k + 1 < len(starts):
            out.append(max(start, starts[k + 1] - pad))
        else:
            out.append(max((c.x1 for b in blocks if b.column == k for c in b.chunks), default=start))
    return out
