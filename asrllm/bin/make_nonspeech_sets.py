"""Make a non-speech test set (silence, noises, tones, chords, babble) as real wav files + a Kaldi data dir.

    python -m asrllm.bin.make_nonspeech_sets --train-dir dump/filtered/train_sp --out-dir data/nonspeech \
        [--kinds silence white pink brown tone chord babble] [--num-per-kind 20] [--seed 0]

Utterance ids are <kind>-<NNNNN> (speaker = kind) and transcripts are empty; decode the dir like any
test set (stage 11) and let stage 14 count the utterances with any output. With --kinds white pink
brown tone chord babble and its own --seed it is a noise corpus for noise.noise_dir (mini local/data.sh).
"""

import argparse
import sys

from asrllm.cli import run
from asrllm.data.config import load_data_config
from asrllm.hallucination.nonspeech_sets import ALL_KINDS, NonSpeechOptions, make_nonspeech_set


def build_parser() -> argparse.ArgumentParser:
    d = NonSpeechOptions()
    p = argparse.ArgumentParser(prog="python -m asrllm.bin.make_nonspeech_sets", description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--out-dir", required=True, help="the data dir to write")
    p.add_argument("--train-dir", default=None, help="training data dir whose audio makes the babble")
    p.add_argument("--audio-dir", default=None, help="where the wav files go (default: <out-dir>/wav)")
    p.add_argument("--kinds", nargs="+", default=list(ALL_KINDS), choices=ALL_KINDS)
    p.add_argument("--num-per-kind", type=int, default=d.num_per_kind)
    p.add_argument("--min-duration", type=float, default=d.min_duration, help="seconds")
    p.add_argument("--max-duration", type=float, default=d.max_duration, help="seconds")
    p.add_argument("--min-level-db", type=float, default=d.min_level_db, help="RMS dBFS")
    p.add_argument("--max-level-db", type=float, default=d.max_level_db, help="RMS dBFS")
    p.add_argument("--babble-talkers", type=int, nargs=2, default=list(d.babble_talkers), metavar=("MIN", "MAX"))
    p.add_argument("--sample-rate", type=int, default=d.sample_rate, help="Hz")
    p.add_argument("--data-config", default=None, help="take the sample rate from this data config instead")
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--log-level", default="INFO")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def body() -> None:
        rate = load_data_config(args.data_config).sample_rate if args.data_config else args.sample_rate
        opts = NonSpeechOptions(list(args.kinds), args.num_per_kind, args.min_duration, args.max_duration,
                                args.min_level_db, args.max_level_db, tuple(args.babble_talkers), rate, args.seed)
        make_nonspeech_set(args.out_dir, opts, args.train_dir, args.audio_dir)

    return run("make_nonspeech_sets", body, args.log_level)


if __name__ == "__main__":
    sys.exit(main())
