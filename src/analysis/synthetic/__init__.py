"""Beside the pipeline: a synthetic corpus of declarations in the published layouts, with its
answer key (what a correct ingest must produce).

``params`` says what to generate; ``library`` holds the fictional city and its indicators;
``forms`` writes one file in each published layout; ``corpus`` generates the units over the
years and writes the answer key; ``cli`` is the command line.
"""

from analysis.synthetic.cli import add_arguments, run
from analysis.synthetic.corpus import generate
from analysis.synthetic.params import Params

__all__ = ["Params", "add_arguments", "generate", "run"]
