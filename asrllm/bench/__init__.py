"""Benchmarks of the data pipeline (python -m asrllm.bench.<name>); numbers go to BENCHMARKS.md."""
