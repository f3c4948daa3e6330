"""Listing: the candidate files under a folder, in path order (:func:`list_files`), with a
problem row for every entry that is no readable file.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from analysis.ingest import limits as lim
from analysis.ingest.readers import candidate_name, is_candidate, names_a_declaration_format
from analysis.problems import Problem


@dataclass
class Listing:
    """What :func:`list_files` found: the files to read, as ``(path, name shown)``; how many
    were skipped as no declaration files; and problems about entries that are no readable
    file (a folder that cannot be listed, a link to nothing, a named pipe) or whose name is
    no UTF-8."""

    files: list[tuple[str, str]]  # (path, name shown): strings, not Path objects (a million files)
    skipped: int
    problems: list[Problem]
    faulty: int  # entries that are a problem and not read
    #: what the listing saw of each file, in the order of ``files``: (size, modification time,
    #: status change time, inode), the times in nanoseconds (links followed)
    stats: list[tuple[int, int, int, int]] = field(default_factory=list)


def list_files(raw_dir: Path) -> Listing:  # noqa: PLR0915 - one walk of the folder whose checks (links, special files, sizes) each end in a problem row
    """The candidate files under ``raw_dir`` in path order. Nothing is passed over silently:
    an entry that cannot be read is a problem row. Links inside ``raw_dir`` are followed (to
    folders once: a loop is reported). A link out of it is followed only to one regular file
    whose own name ends as a format read (``.txt``, ``.xlsx``, ``.pdf`` …): a folder of links to
    declarations kept elsewhere is read, while a link to a folder outside (``etc -> /etc``) or to
    any other file (``/etc/shadow``) is an ``outside-input`` row and is not read. FIFOs, sockets
    and devices are never opened."""
    files: list[tuple[str, str, os.stat_result]] = []
    problems: list[Problem] = []
    skipped = faulty = 0
    seen_dirs: set[tuple[int, int]] = set()
    root = str(raw_dir)
    real_root = os.path.realpath(root)
    prefix = root if root.endswith(os.sep) else root + os.sep

    def rel_of(path: str) -> str:
        # (every path listed starts with the root's: cut it, as relpath would, without its cost)
        rel = path[len(prefix) :] if path.startswith(prefix) else os.path.relpath(path, root)
        return rel if os.sep == "/" else rel.replace(os.sep, "/")

    def fault(path: str, message: str) -> None:
        nonlocal faulty
        shown, _ = lim.display_name(rel_of(path))
        faulty += 1
        problems.append(Problem(shown, None, "unreadable-file", f"{shown}: {message}; not read"))

    def walk(folder: str) -> None:
        nonlocal skipped, faulty
        try:
            st = os.stat(folder)
            if (st.st_dev, st.st_ino) in seen_dirs:
                fault(folder, "a link back to a folder already read (a loop)")
                return
            seen_dirs.add((st.st_dev, st.st_ino))
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            fault(folder, f"a folder that cannot be listed ({exc.strerror or exc})")
            return
        for e in entries:
            if e.name.startswith("."):
                skipped += 1
                continue
            path = e.path
            try:
                is_link = e.is_symlink()
                if is_link:
                    out_of = _outside(path, real_root)
                    if out_of is not None and os.path.isfile(path) and not is_candidate(Path(e.name)):
                        skipped += 1  # a link to a README or an answer key: passed over as the file would be
                        continue
                    if out_of is not None:
                        shown, _ = lim.display_name(rel_of(path))
                        faulty += 1
                        problems.append(Problem(shown, None, "outside-input", f"{shown}: {out_of}; not followed"))
                        continue
                st = os.stat(path)  # follows links
            except FileNotFoundError:
                fault(path, f"a link to {_link(path)!r}, which does not exist" if is_link else "vanished")
                continue
            except OSError as exc:
                fault(path, f"cannot be looked at ({exc.strerror or exc})")
                continue
            if stat.S_ISDIR(st.st_mode):
                walk(path)
            elif stat.S_ISREG(st.st_mode):
                if candidate_name(e.name):  # (every folder above it passed as not hidden)
                    files.append((rel_of(path), path, st))
                else:
                    skipped += 1
            else:
                kind = (
                    "a named pipe (FIFO)"
                    if stat.S_ISFIFO(st.st_mode)
                    else "a socket"
                    if stat.S_ISSOCK(st.st_mode)
                    else "a device"
                )
                if is_candidate(Path(rel_of(path))):
                    fault(path, f"{kind}, not a file")
                else:
                    skipped += 1

    walk(root)
    out, stats = [], []
    for rel, path, st in sorted(files, key=lambda f: f[0].split("/")):
        shown, note = lim.display_name(rel)
        if note:
            problems.append(Problem(shown, None, "bad-file-name", f"{shown}: {note}"))
        out.append((path, shown))
        stats.append((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    out = _lookalikes(out, problems)
    return Listing(out, skipped, problems, faulty, stats)


def _lookalikes(files: list[tuple[str, str]], problems: list[Problem]) -> list[tuple[str, str]]:
    """Names that read the same once Unicode-normalised (``é`` as one character, NFC, or as
    ``e`` and a combining accent, NFD: a folder copied from a Mac beside one from Windows) are
    told apart in every message: a name not in NFC that has an NFC twin is shown with the
    characters that differ as ``\\u`` escapes, and a ``lookalike-name`` warning says so."""
    import unicodedata

    groups: dict[str, set[str]] = {}
    for _path, shown in files:
        groups.setdefault(unicodedata.normalize("NFC", shown), set()).add(shown)
    clashes = {name for names in groups.values() if len(names) > 1 for name in names}
    if not clashes:
        return files
    out = []
    for path, shown in files:
        if shown in clashes and unicodedata.normalize("NFC", shown) != shown:
            escaped = _escape_unnormal(shown)
            problems.append(
                Problem(
                    escaped,
                    None,
                    "lookalike-name",
                    f"{escaped}: the name reads as {unicodedata.normalize('NFC', shown)!r}, the name of another file, "
                    f"but is spelled with other Unicode characters (NFD); shown with \\u escapes to tell them apart",
                )
            )
            shown = escaped
        out.append((path, shown))
    return out


def _escape_unnormal(name: str) -> str:
    """``name`` with every character that NFC would change or join written as ``\\uXXXX``."""
    import unicodedata

    return "".join(
        c if unicodedata.normalize("NFC", c) == c and not unicodedata.combining(c) else f"\\u{ord(c):04x}" for c in name
    )


def _outside(path: str, real_root: str) -> str | None:
    """What is wrong with the link ``path`` when it leads out of the input folder (``real_root``,
    links resolved), or ``None`` when it may be followed: its target lies inside, or it is one
    regular file named as a declaration format (an analyst's link to a file kept elsewhere). A
    link out to a folder (``etc -> /etc``) or to any other file is not followed."""
    target = os.path.realpath(path)
    if target == real_root or target.startswith(real_root.rstrip(os.sep) + os.sep):
        return None
    try:
        regular = stat.S_ISREG(os.stat(target).st_mode)
    except OSError:
        regular = False
    if regular and names_a_declaration_format(os.path.basename(target)):
        return None
    what = "a folder" if os.path.isdir(target) else "no declaration file"
    return f"a link to {_link(path)!r}, {what} outside the input folder"


def _link(path: str) -> str:
    try:
        return lim.safe_text(os.readlink(path))
    except OSError:
        return "?"
