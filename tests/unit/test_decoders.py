"""How many decoders a local run starts: one single-threaded decoder per usable core unless the user chose."""
from __future__ import annotations

import os

from beam_pipeline.decoders import DECODER_MEMORY_BYTES, plan_decoders

PLENTY = 64 * DECODER_MEMORY_BYTES


def test_one_single_threaded_decoder_per_core_by_default():
    plan = plan_decoders("transformers", [], cores=4, memory=PLENTY, environ={})
    assert (plan.processes, plan.threads) == (4, 1)
    assert plan.beam_flags == ["--direct_num_workers", "4", "--direct_running_mode", "multi_processing"]
    assert plan.environment == {"OMP_NUM_THREADS": "1"}
    assert "4 decoder processes x 1 thread" in plan.describe()


def test_memory_and_the_number_of_listings_cap_the_decoders():
    assert plan_decoders("transformers", [], cores=8, memory=3 * DECODER_MEMORY_BYTES, environ={}).processes == 3
    assert plan_decoders("transformers", [], cores=8, memory=PLENTY, listings=2, environ={}).processes == 2
    one = plan_decoders("transformers", [], cores=8, memory=PLENTY, listings=1, environ={})
    assert (one.processes, one.beam_flags, one.environment) == (1, [], {})


def test_one_core_runs_in_process():
    plan = plan_decoders("transformers", [], cores=1, memory=PLENTY, environ={})
    assert (plan.processes, plan.beam_flags, plan.environment) == (1, [], {})


def test_the_users_beam_flags_and_threads_win():
    asked = plan_decoders("transformers", ["--direct_num_workers=1"], cores=4, memory=PLENTY, environ={})
    assert (asked.processes, asked.beam_flags) == (1, [])
    split = plan_decoders("transformers", ["--direct_num_workers", "2", "--direct_running_mode", "multi_processing"],
                          cores=4, memory=PLENTY, environ={})
    assert (split.processes, split.threads, split.beam_flags) == (2, 2, [])
    assert split.environment == {"OMP_NUM_THREADS": "2"}
    threads = plan_decoders("transformers", [], cores=4, memory=PLENTY, environ={"OMP_NUM_THREADS": "2"})
    assert (threads.processes, threads.threads, threads.environment) == (4, 2, {})


def test_other_engines_and_runners_are_left_alone():
    assert plan_decoders("vllm", [], cores=4, memory=PLENTY, environ={}).beam_flags == []
    dataflow = plan_decoders("transformers", ["--runner", "DataflowRunner"], cores=4, memory=PLENTY, environ={})
    assert (dataflow.processes, dataflow.beam_flags) == (1, [])


def test_the_environment_is_set_for_the_run_only(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    plan = plan_decoders("transformers", [], cores=2, memory=PLENTY, environ={})
    with plan.environment_applied():
        assert os.environ["OMP_NUM_THREADS"] == "1"
    assert "OMP_NUM_THREADS" not in os.environ


def test_auto_picks_vllm_where_it_is_installed_on_linux_for_big_enough_runs():
    from beam_pipeline.decoders import VLLM_MIN_LISTINGS, choose_engine

    big, small = VLLM_MIN_LISTINGS, VLLM_MIN_LISTINGS - 1
    assert choose_engine("auto", listings=big, installed=True, system="linux").engine == "vllm"
    assert choose_engine("auto", listings=None, installed=True, system="linux").engine == "vllm"  # BigQuery input
    assert choose_engine("auto", listings=None, dataflow=True, installed=False).engine == "vllm"
    for kept in (choose_engine("auto", listings=small, installed=True, system="linux"),
                 choose_engine("auto", listings=big, installed=False, system="linux"),
                 choose_engine("auto", listings=big, installed=True, system="darwin"),
                 choose_engine("auto", listings=big, installed=True, system="win32")):
        assert kept.engine == "transformers" and kept.reason
    assert "fewer than" in choose_engine("auto", listings=small, installed=True, system="linux").reason


def test_an_engine_the_user_names_is_used_as_named():
    from beam_pipeline.decoders import choose_engine

    assert choose_engine("transformers", listings=10_000, installed=True, system="linux").engine == "transformers"
    assert choose_engine("vllm", listings=1, installed=False, system="darwin").engine == "vllm"


def test_vllm_is_found_without_being_imported():
    import sys

    from beam_pipeline.decoders import vllm_installed

    assert vllm_installed() is False  # the test venv has no vLLM; .venv-vllm's is checked in test_vllm_engine.py
    assert "vllm" not in sys.modules
