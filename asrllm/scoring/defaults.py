"""Per-corpus scoring defaults (unit, normalizer) the recipes use; `score --corpus NAME` reads them."""

CORPUS_DEFAULTS: dict[str, tuple[str, str]] = {
    "aishell": ("char", "aishell"),
    "wenetspeech": ("mixed", "wenetspeech"),
    "librispeech": ("word", "en"),
    "gigaspeech": ("word", "gigaspeech"),
    "mini_zh": ("char", "zh"),  # the CPU mini recipe, Mandarin part
    "mini_en": ("word", "en"),  # the CPU mini recipe, English part
}
