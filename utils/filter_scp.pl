#!/usr/bin/env python3
"""filter_scp.pl [--exclude] [-f N] <id-list> <in.scp> > out.scp

Keep (or with --exclude drop) the lines of <in.scp> whose field N (default 1) is listed
in the first column of <id-list>. Same interface as Kaldi's utils/filter_scp.pl.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
from asrllm.kaldi.scp_tools import filter_scp_main  # noqa: E402

sys.exit(filter_scp_main(sys.argv[1:]))
