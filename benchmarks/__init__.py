"""Benchmarks: each one measures a ratio against a floor, side by side in one run.

``python -m benchmarks`` runs them at the full scale (a 100k-declaration corpus);
``python -m benchmarks --quick`` at a small scale (about two minutes). See docs/performance.md.

Absolute times are not comparable between runs on a shared machine; the ratios are, because
the floor and the measured command run one after the other under the same load.
"""
