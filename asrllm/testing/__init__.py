"""Fixtures for tests and benchmarks, never used by a recipe: toy models with random weights
(toy_model), toy data dirs, and the training fixture of the step benchmark (train_fixture)."""
