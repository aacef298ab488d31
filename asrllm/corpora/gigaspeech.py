"""GigaSpeech (10k h English): $GIGASPEECH/GigaSpeech.json + opus recordings under audio/.

Subset labels {XL} {L} {M} {S} {XS} (nested training sizes), {DEV}, {TEST} -> data dirs train_xl,
train_l, train_m, train_s, train_xs, dev, test. The LLM learns to emit `text_tn` (upper case, as
given) with the punctuation tags turned into punctuation marks attached to the word before
("HELLO <COMMA> WORLD <PERIOD>" -> "HELLO, WORLD."). Training sets drop every utterance with a
garbage tag (<SIL> <MUSIC> <NOISE> <OTHER>); dev/test keep their words and lose only the tags
(an utterance left with no words has no reference and is dropped). Scoring (word/gigaspeech)
removes punctuation again, as the official scoring does.
"""

from asrllm.corpora.manifest import ManifestCorpus

GARBAGE_TAGS = frozenset({"<SIL>", "<MUSIC>", "<NOISE>", "<OTHER>"})
PUNCTUATION_TAGS = {"<COMMA>": ",", "<PERIOD>": ".", "<QUESTIONMARK>": "?", "<EXCLAMATIONPOINT>": "!"}


def gigaspeech_text(text_tn: str, is_train: bool) -> tuple[str | None, str]:
    """The target text of one segment, or (None, why it is dropped)."""
    tokens = text_tn.split()
    if any(t in GARBAGE_TAGS for t in tokens):
        if is_train:
            return None, "garbage_utterance"
        tokens = [t for t in tokens if t not in GARBAGE_TAGS]
    words: list[str] = []
    for t in tokens:
        mark = PUNCTUATION_TAGS.get(t)
        if mark is None:
            words.append(t)
        elif words:
            words[-1] += mark
    if words:
        return " ".join(words), ""
    return None, "garbage_utterance" if text_tn.split() else "empty_text"


GIGASPEECH = ManifestCorpus(
    name="gigaspeech",
    manifest="GigaSpeech.json",
    text_field="text_tn",
    sets={"XL": "train_xl", "L": "train_l", "M": "train_m", "S": "train_s", "XS": "train_xs", "DEV": "dev",
          "TEST": "test"},
    train_labels=frozenset({"XL", "L", "M", "S", "XS"}),
    text_rule=gigaspeech_text,
    eval_labels=("DEV", "TEST"),
)
