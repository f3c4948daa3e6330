"""The project's own errors: one family, so a caller can catch :class:`AnalysisError` for all of
them. Each also derives from the built-in error it refines (a :class:`SchemaError` is a
``ValueError``), so code that catches those keeps working. Messages say what is wrong and where,
in words a user understands."""

from __future__ import annotations


class AnalysisError(Exception):
    """Base of every error this package raises on purpose."""
