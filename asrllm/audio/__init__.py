"""Audio input: wav.scp entries (files, pipes, arks), segments, probing, range reads, resampling, stage 3."""
