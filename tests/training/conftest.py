"""Toy-sized training runs go fastest on one thread (and do not fight other tests for cores).

Module scope, so module-scoped reference runs use the same thread count (float sums differ
between thread counts). Subprocesses get OMP_NUM_THREADS=1 from the tests themselves.
"""

import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
