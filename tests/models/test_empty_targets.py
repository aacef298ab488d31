"""Empty targets (non-speech clips): CTC is all blank, the AED decoder predicts <eos> alone."""

import torch

from asrllm.models.aed_decoder import AttentionDecoder
from asrllm.models.ctc_head import MLPCTCHead


def test_ctc_loss_of_an_empty_target_is_the_all_blank_path():
    torch.manual_seed(0)
    head = MLPCTCHead(8, 5, hidden=8, layers=2, dropout=0.0).eval()
    frames = torch.randn(2, 6, 8)
    lens = torch.tensor([6, 4])
    ids = torch.tensor([[1, 2], [0, 0]])
    loss = head.loss(frames, lens, ids, torch.tensor([2, 0]))
    alone = head.loss(frames[1:], lens[1:], ids[1:, :1], torch.tensor([0]))
    blank = -head.log_probs(frames[1:])[0, :4, 0].sum()
    assert torch.isfinite(loss) and torch.allclose(alone, blank, atol=1e-4)
    assert torch.allclose(loss, head.loss(frames[:1], lens[:1], ids[:1], torch.tensor([2])) + alone, atol=1e-4)


def test_aed_target_of_an_empty_transcript_is_eos_alone():
    torch.manual_seed(0)
    dec = AttentionDecoder(8, 5, "char", {"attention_heads": 2, "linear_units": 16, "num_blocks": 1})
    ids, lens = torch.tensor([[1, 2], [0, 0]]), torch.tensor([2, 0])
    ys_in, in_lens, ys_out = dec.targets(ids, lens)
    assert ys_in[1, 0] == dec.sos and in_lens.tolist() == [3, 1]
    assert ys_out[1].tolist() == [dec.eos, -1, -1]
    loss, n, _ = dec.loss(torch.randn(2, 6, 8), torch.tensor([6, 4]), ids, lens, 0.1)
    assert torch.isfinite(loss) and int(n) == 3 + 1  # two labels + <eos>, and <eos> of the empty one
