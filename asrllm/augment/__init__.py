"""Training-time augmentation (SpecAugment, noise with silence padding, online speed) and non-speech synthesis."""
