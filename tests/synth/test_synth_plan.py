"""Corpus planning: disjoint sentence splits, seen/unseen voices, ids, determinism (no audio)."""

from collections import defaultdict
from pathlib import Path

import pytest

from asrllm.synth.corpus import CorpusSize, plan_corpus, split_names, wav_path
from asrllm.synth.voices import all_voices, is_unseen, voices

SIZE = CorpusSize(num_sentences=1500, num_train=300, num_dev=20, num_test=30)


@pytest.fixture(scope="module")
def plan():
    return plan_corpus(3, SIZE)


def by_split(plan) -> dict:
    out = defaultdict(list)
    for u in plan.utterances:
        out[u.split].append(u)
    return out


def test_counts(plan):
    splits = by_split(plan)
    assert sorted(splits) == sorted(split_names())
    assert len(splits["train"]) == 2 * SIZE.num_train
    assert len(splits["dev"]) == 2 * SIZE.num_dev
    for lang in ("en", "zh"):
        assert len(splits[f"test_{lang}"]) == len(splits[f"test_{lang}_unseen"]) == SIZE.num_test
        assert len(plan.lm_sentences[lang]) == SIZE.num_sentences - SIZE.num_dev - 2 * SIZE.num_test


def test_sentences_are_disjoint_across_splits(plan):
    splits = by_split(plan)
    for lang in ("en", "zh"):
        sets = {s: {u.request.text for u in us if u.language == lang} for s, us in splits.items()}
        named = ["train", "dev", f"test_{lang}", f"test_{lang}_unseen"]
        for i, a in enumerate(named):
            for b in named[i + 1:]:
                assert not sets[a] & sets[b], (lang, a, b)
        held_out = sets["dev"] | sets[f"test_{lang}"] | sets[f"test_{lang}_unseen"]
        assert not held_out & set(plan.lm_sentences[lang])
        assert sets["train"] <= set(plan.lm_sentences[lang])
        assert len(sets["train"]) == SIZE.num_train  # one distinct sentence per training utterance


def test_unseen_sets_use_only_held_out_voices(plan):
    for u in plan.utterances:
        assert is_unseen(u.request.voice) == u.split.endswith("_unseen"), u.utt_id
        assert u.request.voice.language == u.language
    unseen_en = {u.speaker for u in by_split(plan)["test_en_unseen"]}
    assert any(s.startswith("flite-") for s in unseen_en) or any(s.startswith("en-029") for s in unseen_en)


def test_voice_inventory():
    for lang in ("en", "zh"):
        seen, unseen = voices(lang, unseen=False), voices(lang, unseen=True)
        assert seen and unseen and len(seen) + len(unseen) == len(all_voices(lang))
        assert len({v.id for v in all_voices(lang)}) == len(all_voices(lang))
    assert {v.engine for v in voices("en", unseen=False)} == {"espeak"}  # flite and Klatt: unseen only


def test_ids_are_speaker_prefixed_unique_and_sort_consistently(plan):
    ids = [u.utt_id for u in plan.utterances]
    assert len(set(ids)) == len(ids)
    for u in plan.utterances:
        assert u.utt_id.startswith(u.speaker + "-") and " " not in u.utt_id
    # Kaldi: sorting utterances keeps each speaker's utterances together, in speaker order.
    for split, us in by_split(plan).items():
        speakers = [u.speaker for u in sorted(us, key=lambda u: u.utt_id.encode())]
        runs = [s for i, s in enumerate(speakers) if i == 0 or s != speakers[i - 1]]
        assert runs == sorted(set(speakers), key=str.encode), split


def test_plan_is_deterministic_and_keeps_eval_sets_when_train_grows(plan):
    again = plan_corpus(3, SIZE)
    assert [(u.utt_id, u.request) for u in again.utterances] == [(u.utt_id, u.request) for u in plan.utterances]
    bigger = plan_corpus(3, CorpusSize(num_sentences=2000, num_train=500, num_dev=20, num_test=30))
    evals = lambda p: [(u.utt_id, u.request) for u in p.utterances if u.split != "train"]  # noqa: E731
    assert evals(bigger) == evals(plan)
    other = plan_corpus(4, SIZE)
    assert [u.request.text for u in other.utterances] != [u.request.text for u in plan.utterances]


def test_random_speech_parameters_vary(plan):
    reqs = [u.request for u in plan.utterances]
    assert len({r.speed for r in reqs}) > 100 and len({r.pitch for r in reqs}) > 100
    assert all(0.5 < r.speed < 1.5 and 0.5 < r.pitch < 1.5 and -20 < r.level_db < 0 for r in reqs)


def test_cache_names_change_with_the_request(plan):
    u = plan.utterances[0]
    path = wav_path(Path("/c"), u)
    assert path.parent == Path("/c") / u.speaker and path.name.startswith(u.utt_id + "-")
    from dataclasses import replace

    assert replace(u.request, text=u.request.text + " X").key() != u.request.key()


def test_too_few_sentences_is_an_error():
    with pytest.raises(ValueError, match="leaves no training sentences"):
        plan_corpus(1, CorpusSize(num_sentences=50, num_train=10, num_dev=10, num_test=20))
