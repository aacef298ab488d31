"""Babble for the noisy copies: a noise corpus of overlapped training talkers (make_nonspeech_sets
--kinds babble, as the mini recipe's local/data.sh builds it) read through noise.noise_dir."""

import numpy as np
import soundfile as sf

from asrllm.augment.noise import NoiseSource
from asrllm.bin import make_nonspeech_sets
from asrllm.kaldi.speakers import write_spk2utt
from asrllm.kaldi.table import read_table_dict, write_table

SR = 16000
FREQS = [200, 310, 440, 570, 730, 890]  # one talker each: whole periods in 1 s, so tiling is seamless


def talkers_dir(root):
    (root / "wav").mkdir(parents=True)
    rows = []
    for i, f in enumerate(FREQS):
        path = root / "wav" / f"t{i}.wav"
        sf.write(path, 0.3 * np.sin(2 * np.pi * f * np.arange(SR) / SR), SR, subtype="PCM_16")
        rows.append((f"spk{i}-u{i}", str(path)))
    write_table(root / "wav.scp", rows)
    write_table(root / "utt2spk", [(u, u.split("-")[0]) for u, _ in rows])
    write_table(root / "text", [(u, "words") for u, _ in rows])
    write_spk2utt(root / "utt2spk", root / "spk2utt")
    return root


def band_power(x, f):
    spec = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / SR)
    return spec[np.abs(freqs - f) < 3].sum()


def test_babble_overlaps_several_training_talkers_at_equal_levels(tmp_path):
    train = talkers_dir(tmp_path / "train")
    noise = tmp_path / "noise"
    assert make_nonspeech_sets.main(["--train-dir", str(train), "--out-dir", str(noise), "--kinds", "babble",
                                     "--num-per-kind", "4", "--babble-talkers", "3", "3", "--min-duration", "2",
                                     "--max-duration", "2", "--seed", "101"]) == 0
    total = 0
    for path in read_table_dict(noise / "wav.scp").values():
        x = sf.read(path)[0]
        powers = np.array([band_power(x, f) for f in FREQS])
        loud = powers > 0.01 * powers.max()
        assert loud.sum() == 3  # three talkers, the other three absent
        assert powers[loud].max() / powers[loud].min() < 1.1  # each at the same level
        assert powers[loud].sum() > 0.99 * np.sum(np.abs(np.fft.rfft(x)) ** 2)  # nothing but the talkers
        total += 1
    assert total == 4


def test_noisy_copies_draw_babble_from_the_noise_dir(tmp_path):
    train = talkers_dir(tmp_path / "train")
    noise = tmp_path / "noise"
    make_nonspeech_sets.main(["--train-dir", str(train), "--out-dir", str(noise), "--kinds", "babble", "white",
                              "--num-per-kind", "3", "--babble-talkers", "2", "2", "--seed", "3"])
    source = NoiseSource(SR, str(noise))
    got = [source.sample(SR, np.random.default_rng(i)) for i in range(30)]
    babble = [x for x in got if max(band_power(x, f) for f in FREQS) > 0.2 * np.sum(np.abs(np.fft.rfft(x)) ** 2)]
    assert 5 <= len(babble) <= 25  # about half the recordings are babble
