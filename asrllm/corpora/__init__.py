"""Corpus preparation (stage 1): release layouts -> Kaldi data dirs, plus OpenSLR downloads.

One module per corpus (`aishell`, `librispeech`, `wenetspeech`, `gigaspeech`) with its parsing and
text rules; `builder` writes sorted, validated data dirs from lines added in any order; `manifest`
streams the JSON manifests of the long-recording corpora; `download` / `unpack` fetch and unpack
archives. Entry points: `python -m asrllm.bin.prepare_corpus`, `python -m asrllm.bin.download_corpus`.
"""
