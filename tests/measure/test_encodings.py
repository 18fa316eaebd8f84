"""Offline tiktoken encodings: identical to tiktoken's own, hash-checked, and never on the network."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import tiktoken_ext.openai_public as openai_public

from fineadvisor.errors import EncodingDataError
from fineadvisor.measure import encodings
from fineadvisor.measure.encodings import choose_encoding, load_encoding, normalize_model, read_bpe_ranks


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_bundled_encoding_equals_tiktokens_own_definition(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """pat_str, special tokens and expected sha256 are tiktoken's; ranks are the file tiktoken would download."""
    seen: dict[str, str] = {}

    def fake_load(url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        seen["hash"] = expected_hash or ""
        return read_bpe_ranks(name)

    monkeypatch.setattr(openai_public, "load_tiktoken_bpe", fake_load)
    theirs = getattr(openai_public, name)()
    ours = load_encoding(name)
    assert seen["hash"] == encodings._SPECS[name].sha256
    assert ours._pat_str == theirs["pat_str"]
    assert ours._special_tokens == theirs["special_tokens"]
    assert ours.n_vocab == max([*theirs["mergeable_ranks"].values(), *theirs["special_tokens"].values()]) + 1


@pytest.mark.parametrize(
    ("encoding", "text", "tokens"),
    [
        # TV3 (OpenAI cookbook, How_to_count_tokens_with_tiktoken.ipynb)
        ("cl100k_base", "tiktoken is great!", [83, 1609, 5963, 374, 2294, 0]),
        ("o200k_base", "tiktoken is great!", [83, 8251, 2488, 382, 2212, 0]),
        ("o200k_base", "hello world", [24912, 2375]),
        ("cl100k_base", "hello world", [15339, 1917]),
    ],
)
def test_tv3_token_ids(encoding: str, text: str, tokens: list[int]) -> None:
    assert load_encoding(encoding).encode_ordinary(text) == tokens


@pytest.mark.parametrize(
    ("text", "cl100k", "o200k"),
    [
        ("antidisestablishmentarianism", 6, 6),  # TV3
        ("2 + 2 = 4", 7, 7),  # TV3
        ("お誕生日おめでとう", 9, 8),  # TV3
    ],
)
def test_tv3_token_counts(text: str, cl100k: int, o200k: int) -> None:
    assert len(load_encoding("cl100k_base").encode_ordinary(text)) == cl100k
    assert len(load_encoding("o200k_base").encode_ordinary(text)) == o200k


def test_special_token_text_counts_as_text() -> None:
    """`<|endoftext|>` in a log is ordinary text to count, never a crash (the cookbook's encode raises)."""
    assert len(load_encoding("o200k_base").encode_ordinary("a <|endoftext|> b")) > 3


@pytest.mark.parametrize(
    ("model", "base", "encoding", "approximate"),
    [
        ("gpt-4o", "gpt-4o", "o200k_base", False),
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini-2024-07-18", "o200k_base", False),
        ("ft:gpt-4.1-mini-2025-04-14:acme::B1x2y3", "gpt-4.1-mini-2025-04-14", "o200k_base", False),  # not cl100k
        ("ft:gpt-4o-mini-2024-07-18:org:custom:id", "gpt-4o-mini-2024-07-18", "o200k_base", False),
        ("ft:gpt-3.5-turbo-0125:org::id", "gpt-3.5-turbo-0125", "cl100k_base", False),
        ("openai/gpt-4.1", "gpt-4.1", "o200k_base", False),
        ("azure/gpt-35-turbo", "gpt-35-turbo", "cl100k_base", False),
        ("gpt-4", "gpt-4", "cl100k_base", False),
        ("gpt-5.1", "gpt-5.1", "o200k_base", False),
        ("o4-mini", "o4-mini", "o200k_base", False),
        ("gpt-oss-120b", "gpt-oss-120b", "o200k_base", False),  # o200k_harmony: same ordinary tokens
        ("claude-sonnet-4-5", "claude-sonnet-4-5", "o200k_base", True),
        ("anthropic/claude-3-5-haiku", "claude-3-5-haiku", "o200k_base", True),
        ("gemini-2.5-flash", "gemini-2.5-flash", "o200k_base", True),
        ("davinci", "davinci", "o200k_base", True),  # r50k is not bundled
    ],
)
def test_model_to_encoding(model: str, base: str, encoding: str, approximate: bool) -> None:
    choice = choose_encoding(model)
    assert (normalize_model(model), choice.encoding, choice.approximate) == (base, encoding, approximate)
    assert bool(choice.reason) == approximate


def test_corrupt_data_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A BPE file whose sha256 differs from tiktoken's expected hash is an error, never silently used."""
    bad = tmp_path / "o200k_base.tiktoken.gz"
    bad.write_bytes(gzip.compress(b"aGVsbG8= 0\n"))
    monkeypatch.setattr(encodings, "_bpe_data_path", lambda name: bad)
    with pytest.raises(EncodingDataError, match="expected 446a9538"):
        read_bpe_ranks("o200k_base")


def test_unknown_encoding_name() -> None:
    with pytest.raises(EncodingDataError, match="bundled: o200k_base, cl100k_base"):
        load_encoding("p50k_base")


OFFLINE_SCRIPT = textwrap.dedent(
    """
    import socket, sys, os
    def refuse(*args, **kwargs):
        raise RuntimeError("network access attempted")
    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
    from fineadvisor import analyze_logs, load_encoding
    for name in ("o200k_base", "cl100k_base"):
        assert load_encoding(name).encode_ordinary("hello world")
    a = analyze_logs([sys.argv[1]], model="gpt-4o-mini")
    b = analyze_logs([sys.argv[1]], model="gpt-4")
    print(a.profile.input_tokens.total, b.profile.input_tokens.total)
    """
)


def test_counting_touches_no_network_and_no_cache(tmp_path: Path) -> None:
    """With sockets refused and an empty tiktoken cache dir, counting works and writes no cache."""
    log = tmp_path / "log.jsonl"
    log.write_text('{"messages": [{"role": "user", "content": "hi there"}, {"role": "assistant", "content": "yo"}]}\n')
    cache = tmp_path / "tiktoken-cache"
    cache.mkdir()
    env = {**os.environ, "TIKTOKEN_CACHE_DIR": str(cache), "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    run = subprocess.run([sys.executable, "-c", OFFLINE_SCRIPT, str(log)], env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["9", "9"]  # user: 3 + role 1 + "hi there" 2, + 3 priming; same in both
    assert list(cache.iterdir()) == []
    assert not (tmp_path / "tmp" / "data-gym-cache").exists()
