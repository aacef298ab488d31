"""Model pieces: speech encoder, CTC heads, adapter, and the SpeechLLM that joins them."""
