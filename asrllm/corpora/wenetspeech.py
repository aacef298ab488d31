"""WenetSpeech (10k h Mandarin): $WENETSPEECH/WenetSpeech.json + long opus recordings under audio/.

Subset labels L, M, S (nested training sizes), W (weakly labelled), DEV, TEST_NET, TEST_MEETING
-> data dirs train_l, train_m, train_s, train_w, dev, test_net, test_meeting. The LLM learns to
emit the given `text` (whitespace runs collapsed to one space; an empty text is dropped).
"""

from asrllm.corpora.manifest import ManifestCorpus


def wenetspeech_text(text: str, is_train: bool) -> tuple[str | None, str]:
    """The target text: the manifest's text as given, whitespace normalised."""
    out = " ".join(text.split())
    return (out, "") if out else (None, "empty_text")


WENETSPEECH = ManifestCorpus(
    name="wenetspeech",
    manifest="WenetSpeech.json",
    text_field="text",
    sets={"L": "train_l", "M": "train_m", "S": "train_s", "W": "train_w", "DEV": "dev",
          "TEST_NET": "test_net", "TEST_MEETING": "test_meeting"},
    train_labels=frozenset({"L", "M", "S", "W"}),
    text_rule=wenetspeech_text,
    eval_labels=("DEV", "TEST_NET", "TEST_MEETING"),
)
