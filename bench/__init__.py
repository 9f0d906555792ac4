"""The benchmarks (run as scripts: ``python bench/walking_bench.py``) and what they share."""
