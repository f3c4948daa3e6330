"""Stage 1, ingest: declaration files of any format → the processed tables.

``readers`` (and one module per container: ``excel``, …) turn a file into a grid of cells
(:mod:`analysis.ingest.grid`); ``parse`` splits the grid into declarations by the labels of
``vocabulary``; ``normalize`` turns published strings into typed values; ``pipeline`` builds
the table rows, checks them, and writes the tables.
"""

from analysis.ingest.pipeline import (  # noqa: F401  (the stage's entry points)
    IngestResult,
    add_arguments,
    format_summary,
    ingest,
    read_declarations,
    run,
)

__all__ = ["IngestResult", "add_arguments", "format_summary", "ingest", "read_declarations", "run"]
