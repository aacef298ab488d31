"""Training-time augmentation (SpecAugment, noise with silence padding, online speed), its offline
copies (stage 4: noisy copies, non-speech clips) and non-speech synthesis."""
