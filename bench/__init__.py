"""Benchmarks for Hearth: ``make bench`` runs ``python -m bench``. They print figures and
assert nothing about time. See docs/performance.md."""
