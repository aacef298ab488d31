"""Kaldi data-directory conventions: tables, data dirs, validation."""

from asrllm.kaldi.table import DataError, read_table, read_table_dict, write_table

__all__ = ["DataError", "read_table", "read_table_dict", "write_table"]
