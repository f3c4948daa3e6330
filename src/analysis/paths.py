"""Paths as people write them: ``~`` and environment variables expanded wherever a path is taken.

Under cron, ``--out '~/x'`` or ``RAW=$HOME/declarations`` reach the program unexpanded (no shell,
or a shell that does not expand them there); :func:`expand` does what the shell would have done,
so no folder named ``~`` or ``$HOME`` is ever created.
"""

from __future__ import annotations

import os
from pathlib import Path


def expand(path: str | os.PathLike) -> Path:
    """``path`` with a leading ``~`` (or ``~user``) and ``$VAR``/``${VAR}`` expanded (a variable
    that is not set is left as written)."""
    return Path(os.path.expanduser(os.path.expandvars(os.fspath(path))))
