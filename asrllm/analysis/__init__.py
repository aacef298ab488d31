"""Stage 13: entropy-allocation analysis (spans, probes, NSE/PAI/CSAI/CKA, plots); see README.md."""
