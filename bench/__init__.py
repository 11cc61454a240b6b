"""Benchmarks: our ingest side by side with the raw read floor and the usual pandas + openpyxl way.

`python -m bench.run [--quick | --smoke]` (what `make bench` / `make bench-quick` call); see
docs/benchmarks.md.
"""
