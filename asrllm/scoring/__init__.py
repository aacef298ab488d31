"""Scoring: sclite-compatible alignment and counts, score-folder writers, RESULTS.md builder."""
