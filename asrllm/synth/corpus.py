"""Plan and build the mini recipe's synthetic bilingual corpus: who says what, in which split.

Per language, one seeded draw of distinct sentences from the grammar is cut, in order, into
dev | test | test_unseen | the rest. Training utterances speak the first `num_train` sentences of
the rest, so train, dev and test sentences are disjoint; the text LM may use all of the rest.
Because the draw is prefix-stable, changing `num_sentences` or `num_train` keeps dev and test.
train, dev, test_<lang> use the seen voices; test_<lang>_unseen only held-out voices.
Each utterance gets a random speed, pitch and level; the audio is cached under a content hash.
"""

import logging
import random
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from asrllm.kaldi.table import write_table
from asrllm.synth.grammar import Grammar
from asrllm.synth.tts import SynthRequest, check_tools, check_voices, synthesize
from asrllm.synth.voices import Voice, voices
from asrllm.utils.atomic import atomic_write

log = logging.getLogger(__name__)

LANGUAGES = ("en", "zh")
# Speaking-rate and pitch factors drawn per utterance (uniform). espeak-ng reads Mandarin
# pinyin slowly at its default rate, hence a faster range there.
SPEED = {"en": (0.8, 1.15), "zh": (0.95, 1.3)}
PITCH = (0.6, 1.4)
LEVEL_DB = (-10.0, -1.0)


@dataclass(frozen=True)
class CorpusSize:
    """How many sentences and utterances to make (per language unless said otherwise).
    The defaults are the demo's (make demo), which pretrained/text_lm was trained for."""

    num_sentences: int = 15000  # distinct sentences drawn per language
    num_train: int = 1500  # training utterances per language
    num_dev: int = 100  # dev utterances per language (dev holds both)
    num_test: int = 200  # utterances per test set

    @classmethod
    def smoke(cls) -> "CorpusSize":
        return cls(num_sentences=400, num_train=30, num_dev=5, num_test=8)


@dataclass(frozen=True)
class Utterance:
    utt_id: str
    split: str
    language: str
    request: SynthRequest

    @property
    def speaker(self) -> str:
        return self.request.voice.id


@dataclass
class CorpusPlan:
    utterances: list[Utterance]
    lm_sentences: dict[str, list[str]]  # language -> sentences the text LM may train on (no dev/test)


def split_names() -> list[str]:
    return ["train", "dev"] + [f"test_{lang}" for lang in LANGUAGES] + \
        [f"test_{lang}_unseen" for lang in LANGUAGES]


def plan_corpus(seed: int, size: CorpusSize) -> CorpusPlan:
    """Deterministic plan of every utterance (no audio yet)."""
    utts: list[Utterance] = []
    lm_sentences = {}
    for lang in LANGUAGES:
        grammar = Grammar.builtin(lang)
        need = size.num_dev + 2 * size.num_test + 1
        if size.num_sentences < need:
            raise ValueError(f"num_sentences={size.num_sentences} leaves no training sentences "
                             f"(dev and test take {need - 1})")
        pool = grammar.sample_distinct(size.num_sentences, random.Random(f"{seed}/{lang}/text"))
        a, b, c = size.num_dev, size.num_dev + size.num_test, size.num_dev + 2 * size.num_test
        dev, test, unseen, rest = pool[:a], pool[a:b], pool[b:c], pool[c:]
        if size.num_train > len(rest):
            log.warning("%s: %d training utterances but only %d training sentences: some sentences "
                        "are spoken more than once", lang, size.num_train, len(rest))
        train = [rest[i % len(rest)] for i in range(size.num_train)]
        lm_sentences[lang] = rest
        seen_voices, unseen_voices = voices(lang, unseen=False), voices(lang, unseen=True)
        for split, sentences, pool_voices in [("train", train, seen_voices), ("dev", dev, seen_voices),
                                              (f"test_{lang}", test, seen_voices),
                                              (f"test_{lang}_unseen", unseen, unseen_voices)]:
            utts += _assign(split, lang, sentences, pool_voices, random.Random(f"{seed}/{lang}/{split}"))
    return CorpusPlan(utts, lm_sentences)


def _assign(split: str, lang: str, sentences: list[str], pool: list[Voice], rng: random.Random) -> list[Utterance]:
    weights = [v.weight for v in pool]
    out = []
    for i, text in enumerate(sentences):
        voice = rng.choices(pool, weights=weights)[0]
        req = SynthRequest(voice, text, speed=round(rng.uniform(*SPEED[lang]), 3),
                           pitch=round(rng.uniform(*PITCH), 3), level_db=round(rng.uniform(*LEVEL_DB), 1))
        # Speaker-prefixed ids (Kaldi convention); the language keeps dev ids unique.
        out.append(Utterance(f"{voice.id}-{split}-{lang}{i:05d}", split, lang, req))
    return out


def wav_path(cache_dir: Path, utt: Utterance) -> Path:
    """Cache location: per speaker, named by utterance and content hash (stale audio never matches)."""
    return cache_dir / utt.speaker / f"{utt.utt_id}-{utt.request.key()}.wav"


def synthesize_all(utts: list[Utterance], cache_dir: Path, nj: int) -> None:
    """Synthesise every utterance whose audio is not cached yet, `nj` at a time."""
    check_tools()
    check_voices(u.request.voice for u in utts)
    todo = [u for u in utts if not wav_path(cache_dir, u).is_file()]
    log.info("%d utterances, %d cached, synthesising %d with %d jobs", len(utts), len(utts) - len(todo),
             len(todo), nj)
    if not todo:
        return
    start = time.time()
    # Threads suffice: the work happens in espeak-ng / flite / sox subprocesses.
    with ThreadPoolExecutor(max_workers=nj) as pool:
        jobs = pool.map(lambda u: synthesize(u.request, wav_path(cache_dir, u)), todo)
        for _ in tqdm(jobs, total=len(todo), desc="synthesis", unit="utt", mininterval=2.0):
            pass
    took = time.time() - start
    log.info("synthesised %d utterances in %.1f s (%.0f utt/s)", len(todo), took, len(todo) / took)


def write_data_dirs(utts: list[Utterance], cache_dir: Path, data_dir: Path) -> None:
    """Kaldi data dirs <data_dir>/<split>/{wav.scp,text,utt2spk,spk2utt}, sorted (C locale)."""
    by_split: dict[str, list[Utterance]] = defaultdict(list)
    for u in utts:
        by_split[u.split].append(u)
    for split in split_names():
        rows = by_split[split]
        d = data_dir / split
        write_table(d / "wav.scp", ((u.utt_id, str(wav_path(cache_dir, u).resolve())) for u in rows))
        write_table(d / "text", ((u.utt_id, u.request.text) for u in rows))
        write_table(d / "utt2spk", ((u.utt_id, u.speaker) for u in rows))
        spk2utt: dict[str, list[str]] = defaultdict(list)
        for u in sorted(rows, key=lambda u: u.utt_id.encode()):
            spk2utt[u.speaker].append(u.utt_id)
        write_table(d / "spk2utt", ((s, " ".join(us)) for s, us in spk2utt.items()))
        log.info("%s: %d utterances, %d speakers", d, len(rows), len(spk2utt))


def write_lines(path: Path, lines: list[str]) -> None:
    with atomic_write(path) as f:
        f.writelines(line + "\n" for line in lines)


def write_corpus(plan: CorpusPlan, cache_dir: Path, data_dir: Path) -> Path:
    """The data dirs of every split plus the text LM's training sentences
    <data_dir>/local/lm_text/train.txt (returned); the audio is synthesized separately."""
    write_data_dirs(plan.utterances, cache_dir, data_dir)
    lm_text = data_dir / "local" / "lm_text" / "train.txt"
    write_lines(lm_text, [s for lang in sorted(plan.lm_sentences) for s in plan.lm_sentences[lang]])
    return lm_text
