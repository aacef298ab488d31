import pytest

from asrllm.lang.espeak import espeak_available, espeak_phonemize, espeak_to_arpabet


@pytest.mark.parametrize("mnemonics, phones", [
    ("h@l'oU", "HH AH0 L OW1"),
    ("b'V?n-", "B AH1 T AH0 N"),  # glottal stop and syllabic n
    ("st'A@r-", "S T AA1 R"),  # linking r after an r-coloured vowel is not doubled
    ("k'O@r@n3", "K AO1 R AH0 N ER0"),
    ("tS'3:tS", "CH ER1 CH"),
    ("dZ,Ent@L'eIS@n", "JH EH2 N T AH0 L EY1 SH AH0 N"),
    ("f'aI3", "F AY1 ER0"),
    ("pI#t#i", "P IH0 T IY0"),  # allophone marks are skipped
])
def test_mapping(mnemonics, phones):
    out, unknown = espeak_to_arpabet(mnemonics)
    assert " ".join(out) == phones
    assert not unknown


def test_unknown_symbols_are_reported():
    out, unknown = espeak_to_arpabet("b'a\u0294t")
    assert out == ["B", "AE1", "T"] and unknown == {"\u0294"}


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng not installed")
def test_made_up_words_get_plausible_phones():
    words = ["blorpity", "frangulate", "zindrick", "quoxel"]
    got = {w: espeak_to_arpabet(m)[0] for w, m in espeak_phonemize(words).items()}
    assert set(got) == set(words)
    assert got["blorpity"][:3] == ["B", "L", "AO1"]
    assert got["frangulate"][:2] == ["F", "R"] and got["frangulate"][-2:] == ["EY2", "T"]
    assert got["zindrick"][0] == "Z" and "D" in got["zindrick"] and got["zindrick"][-1] == "K"
    assert got["quoxel"][:2] == ["K", "W"]
    for phones in got.values():  # every word has exactly one primary stress
        assert sum(p.endswith("1") for p in phones) == 1
