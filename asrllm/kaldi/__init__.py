"""Kaldi data-directory conventions: tables, data dirs, validation."""

from asrllm.kaldi.datadir import DataDir, Segment
from asrllm.kaldi.table import DataError, read_table, read_table_dict, write_table

__all__ = ["DataDir", "DataError", "Segment", "read_table", "read_table_dict", "write_table"]
