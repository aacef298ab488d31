"""An empty transcript (a non-speech clip): the LLM's target is the end token alone."""

from asrllm.llm.prompt import IGNORE_INDEX, PromptBuilder


def test_the_target_of_an_empty_transcript_is_the_end_token(tokenizer):
    b = PromptBuilder(tokenizer)
    end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    assert b.target_ids(["", "HELLO"])[0] == [end]
    batch = b.build([3, 2], ["", "HELLO WORLD"])
    kept = batch.labels[0][batch.labels[0] != IGNORE_INDEX].tolist()
    assert kept == [end] and len(batch.labels[1][batch.labels[1] != IGNORE_INDEX]) > 1
