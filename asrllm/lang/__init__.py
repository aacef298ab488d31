"""Label units for CTC pre-training: phones (pinyin + ARPAbet), characters, sentencepiece BPE."""
