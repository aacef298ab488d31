#!/usr/bin/env python3
"""spk2utt_to_utt2spk.pl [<spk2utt>] > utt2spk

One `<utt> <spk>` line per utterance of each spk2utt line, in input order. Same
interface as Kaldi's utils/spk2utt_to_utt2spk.pl; see utils/README.md.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
from asrllm.kaldi.scp_tools import spk2utt_to_utt2spk_main  # noqa: E402

sys.exit(spk2utt_to_utt2spk_main(sys.argv[1:]))
