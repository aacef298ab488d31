"""Hallucination evaluation (stage 14): NIM4 rule, insertions, looping, length ratios, non-speech inputs."""
