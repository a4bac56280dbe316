"""The continuous-batching decoder must pick, for every prompt, the tokens `generate` picks for it alone.

A tiny random Llama in float64 with the embedded tokenizer keeps this exact and
fast; more prompts than slots make rows leave and join mid-run.
"""
from __future__ import annotations

import json

import pytest
import torch
import xgrammar as xgr
from transformers import LlamaConfig, LlamaForCausalLM

from inference.continuous import ContinuousDecoder
from inference.engine import stop_token_ids
from inference.transformers_engine import TransformersEngine

PROMPTS = ["Data engineer in Leeds", "x", "Analytics engineer, remote, dbt and Snowflake, 3 years",
           "Engenheiro de dados em Lisboa", "BI developer", "Senior ML engineer, Berlin, PyTorch"]

SMALL_SCHEMA = {
    "type": "object",
    "properties": {"role": {"type": "string", "maxLength": 12},
                   "remote": {"type": "boolean"},
                   "tools": {"type": "array", "items": {"type": "string", "maxLength": 8}, "maxItems": 2}},
    "required": ["role", "remote", "tools"],
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def tiny_model(tokenizer):
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                         pad_token_id=tokenizer.pad_token_id)
    return LlamaForCausalLM(config).to(torch.float64).eval()


def prompt_ids(tokenizer) -> list[list[int]]:
    return [tokenizer(p, add_special_tokens=False)["input_ids"] for p in PROMPTS]


def alone(model, tokenizer, ids: list[int], max_new_tokens: int, grammar=None) -> list[int]:
    """`generate` on one prompt: no padding, so nothing for the decoder to get wrong."""
    processors = [xgr.contrib.hf.LogitsProcessor(grammar)] if grammar is not None else []
    with torch.inference_mode():
        out = model.generate(torch.tensor([ids]), attention_mask=torch.ones((1, len(ids)), dtype=torch.long),
                             max_new_tokens=max_new_tokens, do_sample=False, logits_processor=processors,
                             eos_token_id=stop_token_ids(model, tokenizer), pad_token_id=tokenizer.pad_token_id)
    tokens = out[0, len(ids):].tolist()
    stops = stop_token_ids(model, tokenizer)
    return tokens[: next((i for i, t in enumerate(tokens) if t in stops), len(tokens))]


def test_unconstrained_matches_generate_with_rows_joining_and_leaving(tiny_model, tokenizer):
    decoder = ContinuousDecoder(tiny_model, tokenizer, None, stop_token_ids(tiny_model, tokenizer), slots=2)
    results = decoder.run(prompt_ids(tokenizer), max_new_tokens=24)
    assert len(results) == len(PROMPTS)
    for ids, result in zip(prompt_ids(tokenizer), results):
        expected = alone(tiny_model, tokenizer, ids, 24)
        assert result.text == tokenizer.decode(expected, skip_special_tokens=True)
        assert result.prompt_tokens == len(ids)
        assert result.finish_reason == ("length" if len(expected) == 24 else "stop")


def test_constrained_matches_generate_and_parses(tiny_model, tokenizer):
    stops = stop_token_ids(tiny_model, tokenizer)
    info = xgr.TokenizerInfo.from_huggingface(tokenizer, vocab_size=len(tokenizer), stop_token_ids=stops)
    grammar = xgr.GrammarCompiler(info).compile_json_schema(json.dumps(SMALL_SCHEMA), any_whitespace=False)
    decoder = ContinuousDecoder(tiny_model, tokenizer, grammar, stops, slots=4)
    results = decoder.run(prompt_ids(tokenizer), max_new_tokens=200)
    for ids, result in zip(prompt_ids(tokenizer), results):
        assert result.finish_reason == "stop"
        assert set(json.loads(result.text)) == {"role", "remote", "tools"}
        assert result.text == tokenizer.decode(alone(tiny_model, tokenizer, ids, 200, grammar),
                                               skip_special_tokens=True)


def test_length_limit_ends_a_row_and_counts_its_tokens(tiny_model, tokenizer):
    decoder = ContinuousDecoder(tiny_model, tokenizer, None, [], slots=3)  # no stop token: every row runs out
    results = decoder.run(prompt_ids(tokenizer), max_new_tokens=7)
    assert [r.finish_reason for r in results] == ["length"] * len(PROMPTS)
    assert [r.output_tokens for r in results] == [7] * len(PROMPTS)


def test_generator_keeps_order_and_handles_nothing(tiny_model, tokenizer):
    single = TransformersEngine(tiny_model, tokenizer, slots=1)  # the extraction grammar; 10 tokens end every row
    assert single.generate([], 10) == []
    one_at_a_time = [single.generate([p], 10)[0] for p in PROMPTS[:3]]
    assert TransformersEngine(tiny_model, tokenizer, slots=3).generate(PROMPTS[:3], 10) == one_at_a_time


def test_an_empty_prompt_is_a_clear_error(tiny_model, tokenizer):
    decoder = ContinuousDecoder(tiny_model, tokenizer, None, [], slots=2)
    with pytest.raises(ValueError, match=r"prompts \[1\] have no tokens"):
        decoder.run([[1, 2], []], max_new_tokens=3)


def test_sliding_window_models_are_refused_with_the_way_out(tokenizer):
    from transformers import Qwen3Config, Qwen3ForCausalLM

    config = Qwen3Config(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, head_dim=8, use_sliding_window=True,
                         sliding_window=16, max_window_layers=1)
    with pytest.raises(ValueError, match="--engine vllm"):
        ContinuousDecoder(Qwen3ForCausalLM(config), tokenizer, None, [], slots=2)


def test_on_finished_hears_of_every_prompt_as_it_ends(tiny_model, tokenizer):
    decoder = ContinuousDecoder(tiny_model, tokenizer, None, stop_token_ids(tiny_model, tokenizer), slots=2)
    heard: list[int] = []
    decoder.run(prompt_ids(tokenizer), max_new_tokens=12, on_finished=heard.append)
    assert sum(heard) == len(PROMPTS)
    assert len(heard) > 1  # told as rows end, not once at the end


def test_on_tokens_hears_of_every_token_chosen(tiny_model, tokenizer):
    decoder = ContinuousDecoder(tiny_model, tokenizer, None, stop_token_ids(tiny_model, tokenizer), slots=2)
    heard: list[int] = []
    generations = decoder.run(prompt_ids(tokenizer), max_new_tokens=12, on_tokens=heard.append)
    assert sum(heard) == sum(g.output_tokens for g in generations) > 0


def test_padded_attention_the_gpu_path_matches_generate_too(tiny_model, tokenizer):
    decoder = ContinuousDecoder(tiny_model, tokenizer, None, stop_token_ids(tiny_model, tokenizer), slots=3)
    decoder.padded_attention = True  # one masked batch over the longest row, as on a GPU
    for ids, result in zip(prompt_ids(tokenizer), decoder.run(prompt_ids(tokenizer), max_new_tokens=24)):
        assert result.text == tokenizer.decode(alone(tiny_model, tokenizer, ids, 24), skip_special_tokens=True)
