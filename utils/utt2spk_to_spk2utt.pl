#!/usr/bin/env python3
"""utt2spk_to_spk2utt.pl [<utt2spk>] > spk2utt

Group utterances by speaker: one line per speaker (C-locale order) with its utterances. Same
interface as Kaldi's utils/utt2spk_to_spk2utt.pl; see utils/README.md.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
from asrllm.kaldi.scp_tools import utt2spk_to_spk2utt_main  # noqa: E402

sys.exit(utt2spk_to_spk2utt_main(sys.argv[1:]))
