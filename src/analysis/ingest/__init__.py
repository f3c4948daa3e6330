"""Stage 1, ingest: declaration files of any format → the processed tables.

``readers`` (and one module per container: ``excel``, …) turn a file into a grid of cells
(:mod:`analysis.ingest.grid`); ``parse`` splits the grid into declarations by the labels of
``vocabulary``; ``normalize`` turns published strings into typed values; ``build`` turns a
declaration into its table rows and checks them; ``file`` reads one file into rows and
problems; ``listing`` finds the files, ``parts`` writes each worker's rows and merges them,
``pipeline`` runs files → parts → tables; ``cli`` is the command line.
"""

from analysis.ingest.cli import add_arguments, format_summary, run
from analysis.ingest.file import read_declarations
from analysis.ingest.pipeline import IngestResult, ingest

__all__ = ["IngestResult", "add_arguments", "format_summary", "ingest", "read_declarations", "run"]
