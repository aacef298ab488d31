import pytest

from asrllm.lang.espeak import espeak_available
from asrllm.lang.english import EnglishG2P


def test_cmudict_first_pronunciation_and_stress_option():
    assert EnglishG2P().lookup("HELLO") == ("cmudict", ["HH", "AH0", "L", "OW1"])
    assert EnglishG2P(stress="strip").lookup("HELLO") == ("cmudict", ["HH", "AH", "L", "OW"])


def test_variants_and_compounds():
    g = EnglishG2P(oov_fallback=[])
    g.resolve(["RÉSUMÉ", "SKY-BLUE", "JONES'"])
    assert g.lookup("RÉSUMÉ")[0] == "variant"
    assert g.lookup("SKY-BLUE") == ("compound", ["S", "K", "AY1", "B", "L", "UW1"])
    assert g.lookup("JONES'")[0] in ("cmudict", "variant")


def test_spell_fallback_and_unk():
    g = EnglishG2P(oov_fallback=["spell"])
    g.resolve(["XQZT", "ZQ\u00dfQ"])
    assert g.lookup("XQZT") == ("spell", ["EH1", "K", "S", "K", "Y", "UW1", "Z", "IY1", "T", "IY1"])
    assert g.lookup("ZQ\u00dfQ") == ("unk", None)  # ß is not a-z: no letter name
    assert EnglishG2P(oov_fallback=[]).lookup("XQZT") == ("unk", None)


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng not installed")
def test_espeak_fallback_runs_first_when_configured():
    g = EnglishG2P(oov_fallback=["espeak", "spell"])
    g.resolve(["BLORPITY", "FRANGULATE"])
    method, phones = g.lookup("BLORPITY")
    assert method == "espeak" and phones[:2] == ["B", "L"]
    assert g.lookup("FRANGULATE")[0] == "espeak"
