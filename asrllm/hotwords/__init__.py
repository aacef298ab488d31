"""Hotword lists and their retrieval from the phone-CTC hypothesis (NIM4-ASR's contextual biasing)."""
