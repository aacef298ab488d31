"""Command-line entry points: `python -m asrllm.bin.<step>`."""
