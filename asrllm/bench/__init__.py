"""Benchmarks: the data pipeline's (python -m asrllm.bench.<name>; numbers go to BENCHMARKS.md) and the
training step's library (train_step.py, run by python -m asrllm.bin.bench_train_step)."""
