"""Acoustic features: Kaldi-compatible fbank and global CMVN."""
