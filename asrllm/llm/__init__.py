"""The LLM side: prompt building, tokenizer/model loading, tiny offline fixtures."""
