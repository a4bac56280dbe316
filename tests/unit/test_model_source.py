"""Cache entries for models are written whole or not at all."""
from pathlib import Path

import pytest
from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

from inference.model_source import load_tokenizer, save_pretrained_atomically


@pytest.fixture(scope="module")
def tiny():
    tokenizer = load_tokenizer("embedded")
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1)
    return LlamaForCausalLM(config), tokenizer


def test_a_saved_entry_loads_and_leaves_no_staging_folder(tiny, tmp_path):
    model, tokenizer = tiny
    target = save_pretrained_atomically(model, tokenizer, tmp_path / "entry")
    assert (target / "config.json").is_file()
    assert AutoTokenizer.from_pretrained(target).vocab_size == tokenizer.vocab_size
    assert [p.name for p in tmp_path.iterdir()] == ["entry"]


def test_a_failure_while_saving_leaves_no_entry(tiny, tmp_path):
    model, tokenizer = tiny

    def broken(folder: Path) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        save_pretrained_atomically(model, tokenizer, tmp_path / "entry", broken)
    assert list(tmp_path.iterdir()) == []


def test_an_entry_another_process_filled_first_is_kept(tiny, tmp_path):
    model, tokenizer = tiny
    first = save_pretrained_atomically(model, tokenizer, tmp_path / "entry")
    written = (first / "config.json").stat().st_mtime_ns
    # the second save cannot rename onto a non-empty folder; it keeps the first one's
    again = save_pretrained_atomically(model, tokenizer, tmp_path / "entry")
    assert again == first and (first / "config.json").stat().st_mtime_ns == written
    assert [p.name for p in tmp_path.iterdir()] == ["entry"]
