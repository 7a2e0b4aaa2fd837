"""Benchmarks at clinic and health-system scale: ``python -m bench [--patients N]``."""
