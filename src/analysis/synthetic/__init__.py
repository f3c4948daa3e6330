"""Beside the pipeline: a synthetic corpus of declarations in the published layouts, with its
answer key (what a correct ingest must produce)."""

from analysis.synthetic.corpus import Params, add_arguments, generate, run  # noqa: F401

__all__ = ["Params", "add_arguments", "generate", "run"]
