"""Data pipeline: config schema, utterance index, dataset, batch sampler, collate, filtering, stage helpers."""
