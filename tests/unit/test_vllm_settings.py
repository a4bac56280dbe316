"""The vLLM engine's settings and grammar, checked without vLLM (tests/integration/test_vllm_engine.py runs it)."""
from __future__ import annotations

from beam_pipeline.handler import ExtractionHandler
from inference.loading import EngineSpec
from inference.vllm_engine import VLLMSettings, bound_threads, cpu_environment, engine_kwargs, grammar_ebnf


def test_the_grammar_sent_to_vllm_compiles_to_the_transformers_engines_grammar(tokenizer):
    """vLLM gets EBNF text; compiled with the same tokenizer it must be the very grammar our decoder uses."""
    import xgrammar as xgr

    from inference.engine import compile_grammar

    ours = compile_grammar(tokenizer, 49152, [tokenizer.eos_token_id])
    info = xgr.TokenizerInfo.from_huggingface(tokenizer, vocab_size=49152, stop_token_ids=[tokenizer.eos_token_id])
    sent = xgr.GrammarCompiler(info).compile_grammar(grammar_ebnf())
    assert str(sent.grammar) == str(ours.grammar)
    # no free whitespace: the separators the models are trained on, and nothing else
    matcher = xgr.GrammarMatcher(sent)
    for token in tokenizer('{"job_summary": {"role_title": "Data Engineer", ', add_special_tokens=False)["input_ids"]:
        assert matcher.accept_token(token)
    assert not matcher.accept_string("\n")


def test_cpu_runs_float32_eagerly_and_gpu_bf16_with_cuda_graphs():
    settings = VLLMSettings(max_model_len=8192, gpu_memory_utilization=0.8)
    cpu = engine_kwargs("/m", settings, cpu=True)
    gpu = engine_kwargs("/m", settings, cpu=False)
    assert (cpu["dtype"], cpu["enforce_eager"], "gpu_memory_utilization" in cpu) == ("float32", True, False)
    assert (gpu["dtype"], gpu["enforce_eager"], gpu["gpu_memory_utilization"]) == ("bfloat16", False, 0.8)
    assert cpu["structured_outputs_config"] == gpu["structured_outputs_config"] == {"backend": "xgrammar"}
    assert cpu["enable_prefix_caching"] and gpu["enable_prefix_caching"]
    assert engine_kwargs("/m", VLLMSettings(max_model_len=8, dtype="bfloat16", enforce_eager=False), True)[
        "dtype"] == "bfloat16"


def test_cpu_threads_bind_every_given_core_and_the_environment_wins(monkeypatch):
    monkeypatch.delenv("VLLM_CPU_KVCACHE_SPACE", raising=False)
    monkeypatch.delenv("VLLM_CPU_OMP_THREADS_BIND", raising=False)
    env = cpu_environment(VLLMSettings(max_model_len=8, cpu_kv_cache_gib=3), [0, 1])
    assert env == {"VLLM_CPU_KVCACHE_SPACE": "3", "VLLM_CPU_OMP_THREADS_BIND": "0,1"}
    monkeypatch.setenv("VLLM_CPU_OMP_THREADS_BIND", "nobind")
    assert cpu_environment(VLLMSettings(max_model_len=8), [0, 1])["VLLM_CPU_OMP_THREADS_BIND"] == "nobind"


def test_the_summary_counts_the_cores_vllm_binds(monkeypatch):
    monkeypatch.setenv("VLLM_CPU_OMP_THREADS_BIND", "0,2,3")
    assert bound_threads([0, 1, 2, 3]) == 3
    monkeypatch.setenv("VLLM_CPU_OMP_THREADS_BIND", "nobind")
    assert bound_threads([0, 1, 2, 3]) == 4


def test_vllm_gets_fixed_size_batches():
    handler = ExtractionHandler(EngineSpec("vllm", "m", vllm_options={"max_model_len": 8192}), max_new_tokens=800,
                                batch_size=256)
    assert handler.batch_elements_kwargs() == {"min_batch_size": 256, "max_batch_size": 256}
