"""The mini recipe's synthetic corpus: template grammars, TTS voices, corpus planning, a tiny text LM."""
