"""Token counting of records, by the OpenAI cookbook's rules, with each distinct string encoded once.

Chat framing (How_to_count_tokens_with_tiktoken.ipynb, checked against API-billed counts):
    prompt_tokens = Σ_messages (3 + tokens(role) + tokens(content) + [1 + tokens(name)]) + 3 (reply priming)
Tool definitions are rendered as OpenAI renders them (a `namespace functions` text merged into the system message)
and counted as text; tool calls and tool results follow the billed-exchange rules in `functions.py`.
Only string fields are counted, with `encode_ordinary` (special-token text such as "<|endoftext|>" counts as text).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from itertools import accumulate
from operator import is_
from typing import NamedTuple

import orjson
import tiktoken

from fineadvisor.measure._fast.reuse import LeadingReuse
from fineadvisor.measure.encodings import EncodingChoice, load_encoding
from fineadvisor.measure.functions import (
    calls_tokens,
    definition_tokens,
    render_functions,
    split_calls,
    tool_choice_tokens,
)
from fineadvisor.measure.images import image_tokens
from fineadvisor.measure.records import Message, Record, Tool, Usage

TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING_TOKENS = 3


CACHE_ENTRIES = 200_000
"""Distinct strings remembered per generation of the count cache (two generations are kept)."""
CACHE_CHARS = 8_000_000
"""Characters of distinct text remembered per generation (≤ 32 MB even for 4-byte characters)."""
_CACHED_CHARS = CACHE_CHARS // 8
"""Longer strings are not remembered (one string cannot fill a generation)."""
HASH_MEMO_ENTRIES = 65_536
"""Hashes of recurring message groups remembered (the memo is emptied when full)."""
RUN_SUMMARIES = 64
"""Summaries of reused leading runs remembered (all are forgotten when the table is full)."""
TOOL_MEMO_ENTRIES = 4_096
"""Tool-definition counts remembered per (tool set, system message) (the memo is emptied when full)."""
EXAMPLE_NAMES = frozenset({"example_user", "example_assistant"})
_SYSTEM_ROLES = frozenset({"system", "developer"})
_RESULT_ROLES = frozenset({"tool", "function"})
"""Roles of tool results: billed as a message whose role is the function's name (3 + tokens(name) + content)."""

ANTHROPIC_TOOL_PROMPT_TOKENS: tuple[tuple[str, int, int], ...] = (
    ("claude-3-opus", 530, 281),
    ("claude-3-sonnet", 159, 235),
    ("claude-3-haiku", 264, 340),
)
"""(model prefix, tokens with tool_choice auto/none, tokens with any/tool) of the tool-use system prompt Anthropic adds
when `tools` are sent, from the "Tool use system prompt token count" table of
https://docs.anthropic.com/en/docs/tool-use-pricing-and-tokens (stored copy read 2026-12-03; it lists the Claude 3
models). Every later Claude model (3.5/3.7 Sonnet, Haiku 3.5 and the Claude 4 family) takes ANTHROPIC_TOOL_PROMPT_DEFAULT."""
ANTHROPIC_TOOL_PROMPT_DEFAULT = (346, 313)
"""Claude 4 / 3.7 / 3.5 Sonnet and Opus: 346 (auto, none) and 313 (any, tool) tokens — the current table of the same
page (346 also quoted by claudecodeguides.com/why-claude-prompts-use-too-many-tokens, read 2026-12-03)."""


def _digest(text: str) -> bytes:
    """A 16-byte content digest (SHA-256, which CPUs with SHA extensions compute faster than BLAKE2 here)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:16]


def _h64(*parts: bytes) -> int:
    """A 64-bit hash of a sequence of digests (used to group identical messages across records)."""
    return _h64_of(b"\x00".join(parts))


def _h64_of(joined: bytes) -> int:
    """`_h64` of parts already joined with b"\\x00"."""
    return int.from_bytes(hashlib.blake2b(joined, digest_size=8).digest(), "little")


THREADED_CHARS = 1 << 20
"""Characters of new strings from which `prefetch` encodes on several threads (below, one is as fast)."""


class TokenCounter:
    """Counts tokens of strings with one encoding, remembering each distinct string's count (bounded memory).

    The cache is keyed by the string itself (exact: no hash collision can return a wrong count) and holds at
    most CACHE_CHARS characters per generation; when a generation fills up it becomes the old one, and
    entries still in use are carried forward on their next hit, so a system prompt sent on every request
    is encoded once however long the log.
    """

    def __init__(self, encoding: str) -> None:
        self.encoding_name = encoding
        self._enc: tiktoken.Encoding = load_encoding(encoding)
        self._hot: dict[str, tuple[int, bytes]] = {}
        self._cold: dict[str, tuple[int, bytes]] = {}
        self._hot_chars = 0
        self.strings_seen = 0
        self.strings_encoded = 0

    def count(self, text: str) -> int:
        """Tokens in `text` (ordinary encoding)."""
        return self.lookup(text)[0]

    def lookup(self, text: str) -> tuple[int, bytes]:
        """(tokens, 16-byte content digest) of `text`."""
        self.strings_seen += 1
        hit = self._hot.get(text)
        if hit is not None:
            return hit
        hit = self._cold.pop(text, None)
        if hit is None:
            hit = (len(self._enc.encode_ordinary(text)), _digest(text))
            self.strings_encoded += 1
        self._store(text, hit)
        return hit

    def prefetch(self, texts: Iterable[str], threads: int = 1) -> None:
        """Encode the strings among `texts` that are not cached, all in one loop, so that their lookups hit.

        Encoding a chunk's new strings together, instead of one at a time between the parsing and counting
        of each record, keeps the encoder's tables in the CPU caches: a chunk takes 10–20% less time. With
        `threads` > 1 (a process that has the cores to itself: a sample) the strings are cut into that many runs
        encoded side by side (tiktoken's encoder releases the GIL).
        """
        hot, cold = self._hot, self._cold
        new = list(dict.fromkeys(t for t in texts if t not in hot and t not in cold and len(t) <= _CACHED_CHARS))
        encode = self._enc.encode_ordinary

        def run(part: list[str]) -> list[int]:
            return [len(encode(text)) for text in part]

        if threads > 1 and sum(map(len, new)) >= THREADED_CHARS:
            from concurrent.futures import ThreadPoolExecutor

            step = -(-len(new) // threads)
            with ThreadPoolExecutor(threads) as pool:
                counts = [n for part in pool.map(run, [new[i:i + step] for i in range(0, len(new), step)])
                          for n in part]
        else:
            counts = run(new)
        self.strings_encoded += len(new)
        for text, n in zip(new, counts, strict=True):
            self._store(text, (n, _digest(text)))

    def _store(self, text: str, hit: tuple[int, bytes]) -> None:
        size = len(text)
        if size <= _CACHED_CHARS:
            if self._hot_chars + size > CACHE_CHARS or len(self._hot) >= CACHE_ENTRIES:
                self._cold, self._hot, self._hot_chars = self._hot, {}, 0
            self._hot[text] = hit
            self._hot_chars += size

    def count_tools(self, tools: Sequence[Tool], system: str | None = None) -> int:
        """Tokens that tool definitions add to a request whose first system message is `system` (None: none)."""
        return definition_tokens(self.count, render_functions(tools), system) if tools else 0


class RecordTokens(NamedTuple):
    """Token counts of one record, split into the parts the profile reports, plus what readiness needs."""

    source: str
    model: str | None
    custom_id: str | None
    system_tokens: int
    """Leading system/developer messages, framing included."""
    tool_tokens: int
    """Tool definitions."""
    named_example_tokens: int
    """Messages named example_user / example_assistant (few-shot by construction)."""
    pairs: tuple[tuple[int, int], ...]
    """Leading (user, assistant) pairs before the final turn, as (pair hash, tokens): few-shot candidates."""
    history_tokens: int
    """Other earlier-turn messages."""
    query_tokens: int
    """The final turn (messages after the last assistant message) plus the 3 reply-priming tokens."""
    uncounted_parts: int
    """Images of unknown size and parts such as audio or files, which are not counted."""
    output_tokens: int | None
    """Counted tokens of the output message; None when the log holds no output."""
    usage: Usage | None
    template: int
    """Hash of the tools and leading system block: records sharing it share a static prefix."""
    # --- as a fine-tuning example (prompt + output), cookbook style ---
    example_tokens: int
    n_messages: int
    assistant_tokens: int
    has_system: bool
    has_user: bool
    has_assistant: bool
    format_issues: tuple[str, ...]
    prompt_hash: int
    answer_hash: int
    image_tokens: int = 0
    named_examples: int = 0
    """Number of example_user messages (each one a few-shot example with its example_assistant reply)."""
    counted_input_tokens: int = 0
    """Counted prompt tokens: every part, framing and reply priming included."""


class RecordCounter:
    """Counts records for one model's encoding, sharing one string cache across records."""

    def __init__(self, choice: EncodingChoice) -> None:
        self.choice = choice
        self.counter = TokenCounter(choice.encoding)
        self._role_tokens: dict[str, int] = {}
        self._role_prefix: dict[str, bytes] = {}
        self._uncounted = 0
        self._images = 0
        self._h64_memo: dict[tuple[bytes, ...], int] = {}
        self._reuse: LeadingReuse[Message, tuple[int, int, bytes, str]] = LeadingReuse()
        self._runs: dict[tuple[int, int], _Run] = {}
        self._tool_memo: dict[tuple[bytes, bytes, str | None], int] = {}
        self._anthropic_overhead = anthropic_tool_prompt_tokens(choice.base_model)

    def _message(self, m: Message) -> tuple[int, int, bytes]:
        """(framed tokens, content tokens, digest) of one message; adds to the record's image/uncounted tallies."""
        role_n = self._role_tokens.get(m.role)
        if role_n is None:
            role_n = self._role_tokens[m.role] = self.counter.count(m.role)
            self._role_prefix[m.role] = m.role.encode()
        texts = m.texts
        if len(texts) == 1 and m.name is None and not m.images and not m.other_parts:
            n, digest = self.counter.lookup(texts[0])
            return TOKENS_PER_MESSAGE + role_n + n, n, m.role.encode() + digest
        content = 0
        h = hashlib.blake2b(digest_size=16)
        h.update(m.role.encode())
        for text in texts:
            n, digest = self.counter.lookup(text)
            content += n
            h.update(digest)
        framed = TOKENS_PER_MESSAGE + role_n + content
        if m.tool_call and m.role == "assistant" and self._anthropic_overhead is None:
            # Each call is billed as its own message (functions.CALL_PREFIX); the text, if any, as a message too.
            # (OpenAI's rule: Claude's tool_use blocks keep the plain rule, an approximation like all Claude counts.)
            own, calls = split_calls(texts, m.calls)
            own_n = sum(self.counter.count(t) for t in own)
            framed = (TOKENS_PER_MESSAGE + role_n + own_n if own_n else 0) + calls_tokens(
                self.counter.count, calls, self.counter.encoding_name)
        if m.name is not None:
            if m.role in _RESULT_ROLES:  # the name stands in for the role
                framed += self.counter.count(m.name) - role_n
            else:
                framed += TOKENS_PER_NAME + self.counter.count(m.name)
            h.update(b"\x00name\x00" + m.name.encode("utf-8", "surrogatepass"))
        self._uncounted += m.other_parts
        for image in m.images:
            n_image = image_tokens(self.choice.base_model, image)
            if n_image is None:
                self._uncounted += 1
            else:
                framed += n_image
                self._images += n_image
            h.update(f"\x00img{image.width}x{image.height}{image.detail}".encode())
        return framed, content, h.digest()

    def _memo_h64(self, parts: tuple[bytes, ...]) -> int:
        """`_h64` of parts that recur from record to record (few-shot pairs, system blocks), remembered."""
        h = self._h64_memo.get(parts)
        if h is None:
            if len(self._h64_memo) >= HASH_MEMO_ENTRIES:
                self._h64_memo.clear()
            h = self._h64_memo[parts] = _h64(*parts)
        return h

    def count(self, rec: Record) -> RecordTokens:
        """Split one record's tokens into system, tools, few-shot candidates, history, query and output."""
        self._uncounted = self._images = 0
        prompt = rec.prompt
        n = len(prompt)
        # Leading messages that are the very objects of an earlier record's: their counts are known.
        reused = self._reuse.match(prompt)
        if reused:
            run = self._run(prompt, reused)
            if run.system_end < len(reused):
                rt = self._count_after_run(rec, run)
                if rt is not None:
                    return rt
        framed: list[int]
        content: list[int]
        digests: list[bytes]
        roles: list[str]
        if reused:
            framed, content, digests, roles = (list(column) for column in zip(*reused, strict=True))
        else:
            framed, content, digests, roles = [], [], [], []
        plain = start = len(reused)
        pending: list[str] = []
        for i in range(start, n):
            m = prompt[i]
            roles.append(m.role)
            f, c, d = self._counted(m)
            if m.tool_call or pending:
                f += self._result_name_tokens(m, pending)
            framed.append(f)
            content.append(c)
            digests.append(d)
            plain += plain == i and _is_plain(m)
        if start == 0 and plain:
            self._reuse.remember(prompt, list(zip(framed[:plain], content[:plain], digests[:plain], roles[:plain],
                                                  strict=True)))

        # leading system block (named examples inside it are few-shot)
        s = system_tokens = named = named_examples = 0
        while s < n and (roles[s] in _SYSTEM_ROLES or prompt[s].name in EXAMPLE_NAMES):
            if prompt[s].name in EXAMPLE_NAMES:
                named += framed[s]
                named_examples += prompt[s].name == "example_user"
            else:
                system_tokens += framed[s]
            s += 1
        final_start = _final_start(roles, s)
        pairs = self._pairs(prompt, roles, framed, digests, s, final_start)
        i = s + 2 * len(pairs)
        tool_tokens, tools_key = self._tools(rec, roles, digests)
        return self._finish(
            rec, roles, system_tokens=system_tokens, named=named, named_examples=named_examples,
            pairs=pairs, history=sum(framed[i:final_start]), after_final_start=sum(framed[final_start:]),
            prompt_framed=sum(framed),
            prompt_assistant=sum(c for c, role in zip(content, roles, strict=True) if role == "assistant"),
            tool_tokens=tool_tokens, template=self._memo_h64((*digests[:s], tools_key)),
            prompt_hash=_h64(*digests, tools_key))

    def _counted(self, m: Message) -> tuple[int, int, bytes]:
        """(framed tokens, content tokens, digest) of one message, by the inline path when it is plain."""
        role_prefix = self._role_prefix.get(m.role)
        if role_prefix is not None and m.name is None and len(m.texts) == 1 and not m.images and not m.other_parts:
            tokens, digest = self.counter.lookup(m.texts[0])
            return TOKENS_PER_MESSAGE + self._role_tokens[m.role] + tokens, tokens, role_prefix + digest
        return self._message(m)

    def _pairs(self, prompt: Sequence[Message], roles: Sequence[str], framed: Sequence[int],
               digests: Sequence[bytes], start: int, end: int) -> tuple[tuple[int, int], ...]:
        """(pair hash, tokens) of the user/assistant pairs from `start` that end before `end`: few-shot candidates."""
        pairs: list[tuple[int, int]] = []
        i = start
        while (i + 1 < end and roles[i] == "user" and roles[i + 1] == "assistant"
               and not prompt[i + 1].tool_call and prompt[i].name not in EXAMPLE_NAMES):
            pairs.append((self._memo_h64((digests[i], digests[i + 1])), framed[i] + framed[i + 1]))
            i += 2
        return tuple(pairs)

    def _run(self, prompt: tuple[Message, ...], reused: list[tuple[int, int, bytes, str]]) -> _Run:
        """The summary of the reused leading run of `prompt` (remembered per run: same objects, same summary)."""
        k = len(reused)
        key = (id(prompt[0]), k)
        run = self._runs.get(key)
        if run is not None and all(map(is_, run.messages, prompt)):
            return run
        framed, content, digests, roles = zip(*reused, strict=True)
        s = system_tokens = 0
        while s < k and roles[s] in _SYSTEM_ROLES and prompt[s].name is None:
            system_tokens += framed[s]
            s += 1
        pairs = self._pairs(prompt, roles, framed, digests, s, k)
        if len(self._runs) >= RUN_SUMMARIES:
            self._runs.clear()
        run = self._runs[key] = _Run(
            messages=prompt[:k], roles=roles, cum_framed=tuple(accumulate(framed, initial=0)),
            assistant_content=sum(c for c, role in zip(content, roles, strict=True) if role == "assistant"),
            digests=digests, joined=b"\x00".join(digests),
            # A name in the leading system block would make it a named example: such runs take the full path.
            system_end=s if s == k or prompt[s].name is None else k, system_tokens=system_tokens, pairs=pairs)
        return run

    def _count_after_run(self, rec: Record, run: _Run) -> RecordTokens | None:
        """`count` for a record whose leading system block and few-shot pairs lie in a summarised run.

        Only the messages after the run are looked at; None when the final turn starts after the run (then the
        few-shot pairs could go on past it, and `count` takes the full path).
        """
        prompt = rec.prompt
        k = len(run.roles)
        s = run.system_end
        roles = [*run.roles, *(m.role for m in prompt[k:])]
        final_start = _final_start(roles, s)
        if final_start > k:
            return None
        framed_new = assistant_new = 0
        digests_new: list[bytes] = []
        pending: list[str] = []
        for m in prompt[k:]:
            f, c, d = self._counted(m)
            if m.tool_call or pending:
                f += self._result_name_tokens(m, pending)
            framed_new += f
            if m.role == "assistant":
                assistant_new += c
            digests_new.append(d)
        # Pair j starts at s + 2j and counts while it ends before the final turn: j < (final_start − s) // 2.
        pairs = run.pairs[: (final_start - s) // 2]
        cum = run.cum_framed
        tool_tokens, tools_key = self._tools(rec, roles, (*run.digests, *digests_new))
        return self._finish(
            rec, roles, system_tokens=run.system_tokens, named=0, named_examples=0, pairs=pairs,
            history=cum[final_start] - cum[s + 2 * len(pairs)], after_final_start=cum[k] - cum[final_start] + framed_new,
            prompt_framed=cum[k] + framed_new, prompt_assistant=run.assistant_content + assistant_new,
            tool_tokens=tool_tokens, template=self._memo_h64((*run.digests[:s], tools_key)),
            prompt_hash=_h64_of(run.joined + b"\x00" + b"\x00".join((*digests_new, tools_key))))

    def _result_name_tokens(self, m: Message, pending: list[str]) -> int:
        """Tokens a tool result's function name adds over its role (its name comes from the preceding calls).

        `pending` holds the names of the calls not yet answered: a call message sets it, each result takes the next.
        """
        if m.tool_call:
            pending[:] = [name for name, _ in split_calls(m.texts, m.calls)[1]]
            return 0
        if m.role != "tool":
            pending.clear()
            return 0
        name = pending.pop(0)
        return 0 if m.name is not None else self.counter.count(name) - self._role_tokens[m.role]

    def _tools(self, rec: Record, roles: Sequence[str], digests: Sequence[bytes]) -> tuple[int, bytes]:
        """(tokens of the tool definitions, their canonical bytes for the template key), remembered per tool set
        and first system message (the rendered text merges with it)."""
        tools = rec.tools
        if not tools:
            return 0, b""
        key = orjson.dumps([(t.name, t.description, t.parameters) for t in tools],
                           option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
        anthropic = self._anthropic_overhead is not None and (rec.source == "anthropic" or "claude" in (rec.model or ""))
        system_at = -1 if anthropic else next(
            (j for j, role in enumerate(roles) if role in _SYSTEM_ROLES and rec.prompt[j].name is None), -1)
        memo_key = (key, digests[system_at] if system_at >= 0 else b"", rec.tool_choice)
        n = self._tool_memo.get(memo_key)
        if n is None:
            if len(self._tool_memo) >= TOOL_MEMO_ENTRIES:
                self._tool_memo.clear()
            system = "".join(rec.prompt[system_at].texts) if system_at >= 0 else None
            n = self._tool_memo[memo_key] = self.counter.count_tools(tools, system) + tool_choice_tokens(
                self.counter.count, rec.tool_choice)
        return n, key

    def _finish(self, rec: Record, roles: list[str], *, system_tokens: int, named: int, named_examples: int,
                pairs: tuple[tuple[int, int], ...], history: int, after_final_start: int, prompt_framed: int,
                prompt_assistant: int, tool_tokens: int, template: int, prompt_hash: int) -> RecordTokens:
        """Add the output (completion) to a record's prompt counts and make its `RecordTokens`."""
        priming = REPLY_PRIMING_TOKENS if rec.prompt else 0
        if tool_tokens and self._anthropic_overhead is not None and (
                rec.source == "anthropic" or "claude" in (rec.model or "")):
            # Anthropic's tool-use system prompt: counted when billed usage exceeds the count by at least 3/4 of it
            # (or is not logged); a smaller excess is something else, and billed usage wins anyway.
            billed_over = rec.usage.prompt_tokens - (prompt_framed + tool_tokens + priming) if rec.usage else None
            if billed_over is None or 4 * billed_over >= 3 * self._anthropic_overhead:
                tool_tokens += self._anthropic_overhead
        output_tokens: int | None = None
        answer_hash = out_framed = out_assistant = 0
        if rec.completion:
            out = [self._message(m) for m in rec.completion]
            out_framed = sum(c[0] for c in out)
            output_tokens = sum(c[1] for c in out)
            out_assistant = sum(c[1] for c, m in zip(out, rec.completion, strict=True) if m.role == "assistant")
            answer_hash = _h64(*(c[2] for c in out))
            roles += [m.role for m in rec.completion]
        role_set = set(roles)
        return RecordTokens(
            source=rec.source, model=rec.model, custom_id=rec.custom_id,
            system_tokens=system_tokens, tool_tokens=tool_tokens, named_example_tokens=named,
            pairs=pairs, history_tokens=history, query_tokens=after_final_start + priming,
            uncounted_parts=self._uncounted, output_tokens=output_tokens, usage=rec.usage, template=template,
            example_tokens=prompt_framed + tool_tokens + out_framed + priming,
            n_messages=len(roles),
            assistant_tokens=prompt_assistant + out_assistant,
            has_system="system" in role_set or "developer" in role_set, has_user="user" in role_set,
            has_assistant=any(m.role == "assistant" for m in rec.completion), format_issues=rec.format_issues,
            prompt_hash=prompt_hash, answer_hash=answer_hash,
            image_tokens=self._images, named_examples=named_examples,
            counted_input_tokens=prompt_framed + tool_tokens + priming,
        )


def anthropic_tool_prompt_tokens(model: str) -> int | None:
    """Tokens of the tool-use system prompt Anthropic adds for `model` with tool_choice auto (None: not Claude)."""
    if "claude" not in model:
        return None
    for prefix, auto, _forced in ANTHROPIC_TOOL_PROMPT_TOKENS:
        if model.startswith(prefix):
            return auto
    return ANTHROPIC_TOOL_PROMPT_DEFAULT[0]


def _is_plain(m: Message) -> bool:
    """A message with one text and nothing else: what a reused run may hold."""
    return m.name is None and len(m.texts) == 1 and not m.images and not m.other_parts


def _final_start(roles: list[str], s: int) -> int:
    """Where the final turn starts: after the last assistant message that precedes the last non-assistant one."""
    last_input = len(roles) - 1
    while last_input > 0 and roles[last_input] == "assistant":
        last_input -= 1
    last_assistant = last_input - 1
    while last_assistant >= s and roles[last_assistant] != "assistant":
        last_assistant -= 1
    return max(last_assistant + 1, s)


class _Run(NamedTuple):
    """What a reused leading run of plain messages gives every record that starts with it (see `RecordCounter._run`)."""

    messages: tuple[Message, ...]
    roles: tuple[str, ...]
    cum_framed: tuple[int, ...]
    """cum_framed[j]: framed tokens of the first j messages."""
    assistant_content: int
    digests: tuple[bytes, ...]
    joined: bytes
    """The digests joined as `_h64` joins its parts."""
    system_end: int
    """Where the leading system block ends (the run's length when it might go on past the run)."""
    system_tokens: int
    pairs: tuple[tuple[int, int], ...]
    """(pair hash, tokens) of the user/assistant pairs after the system block that lie within the run."""
