"""Hotword retrieval: exact matches of hotwords' phone sequences in the greedy phone-CTC hypothesis.

An Aho-Corasick automaton (pyahocorasick) over the phone-id sequences, each phone id one character of
the key, finds every occurrence in one pass over the hypothesis. Then, as NIM4-ASR describes:
- longest match: an occurrence lying inside a longer one is dropped (a hit on "NIO House" drops "NIO");
- de-duplication over the utterance: each hotword once, in order of first occurrence;
- at most max_hints hits (the earliest).
"""

import ahocorasick

from asrllm.hotwords.lists import Hotword

OFFSET = 0x100  # phone id -> character: clear of control characters, below the surrogates for ids < 55k


def _key(ids) -> str:
    return "".join(chr(OFFSET + int(i)) for i in ids)


class HotwordIndex:
    def __init__(self, entries: list[Hotword]):
        self.automaton = ahocorasick.Automaton()
        for h in entries:
            key = _key(h.phone_ids)
            _, texts = self.automaton.get(key, (0, ()))
            self.automaton.add_word(key, (len(h.phone_ids), texts + (h.text,)))  # homophones share a key
        self.size = len(entries)
        if self.size:
            self.automaton.make_automaton()

    def find(self, phone_ids, max_hints: int = 10) -> list[str]:
        """The hotwords whose phones occur in `phone_ids` (a greedy CTC hypothesis), filtered as above."""
        if not self.size or not len(phone_ids):
            return []
        spans = [(end - length + 1, end, texts) for end, (length, texts) in self.automaton.iter(_key(phone_ids))]
        spans.sort(key=lambda s: (s[0], -s[1]))
        kept, reach = [], -1
        for start, end, texts in spans:  # longest first at each start; drop spans inside a kept one
            if end <= reach:
                continue
            kept.append((start, end, texts))
            reach = end
        hints: list[str] = []
        for _, _, texts in kept:
            for t in texts:
                if t not in hints:
                    hints.append(t)
        return hints[:max_hints]
