"""The Ray engine: the same chunks, counted by Ray tasks on a cluster's workers, merged in order by the same code.

`pip install 'fineadvisor[ray]'`. The driver splits each input into the chunks the local engine uses (byte ranges
of plain files, which each task reads itself; blocks of lines of compressed files, streams, objects and documents,
which the driver reads and ships); each task counts up to `TASK_CHUNKS` consecutive byte ranges (or one shipped
chunk) with `scan.count_chunks` into one `ChunkResult` — the partial result: histograms, counters and the examples'
hashes, merged on the worker — and the driver merges the partials in input order exactly as the local engine does,
so the profile is the local one, to the token. With `--ray-address` (or RAY_ADDRESS) it joins a
running cluster and ships this package to its workers (`runtime_env.py_modules`); otherwise it starts a local Ray
on 127.0.0.1 for the run and stops it after. Plain files must be readable at the same path on every worker (a
shared filesystem); objects in s3:// / gs:// / az:// are read by the driver.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
from collections.abc import Iterable, Iterator
from typing import Any

from fineadvisor.errors import InputError
from fineadvisor.measure.logs import Chunk, LogSource

WINDOW_PER_CPU = 2
"""Tasks in flight per cluster CPU (results are merged in input order)."""
TASK_CHUNKS = 16
"""Consecutive byte ranges of a plain file counted by one task into one result (~64 MB a task): the partials are
merged on the worker, so the driver merges 16 times fewer. Chunks the driver reads and ships go one a task."""

_counters: dict[str | None, Any] = {}
"""Per worker process: one `LineCounter` per model, kept between tasks (the tokenizer loads once per worker)."""


def _count(chunks: list[Chunk], model: str | None, strict: bool) -> Any:
    """One task: count consecutive chunks on a worker into one result (the worker keeps its counter for the next
    task)."""
    from fineadvisor.measure.scan import LineCounter, count_chunks

    counter = _counters.get(model)
    if counter is None:
        counter = _counters[model] = LineCounter(model)
    counter.approximate.clear()  # this task's reasons only: the worker may have counted another run's chunks
    return count_chunks(chunks, counter, strict)


@contextlib.contextmanager
def ray_session(address: str | None, cpus: int | None = None) -> Iterator[Any]:
    """Ray, joined at `address` (or RAY_ADDRESS) or started locally on 127.0.0.1 for the duration."""
    target = address or os.environ.get("RAY_ADDRESS") or None
    if target and "RAY_AUTH_MODE" not in os.environ and _token_at_hand():
        os.environ["RAY_AUTH_MODE"] = "token"  # Ray ≥ 2.59 starts clusters with token authentication (read at import)
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage report leaves the machine
    try:
        import ray
    except ImportError:
        raise InputError("--engine ray needs Ray: pip install 'fineadvisor[ray]'") from None
    started = not ray.is_initialized()
    if started and target:
        _check_reachable(target)
    if started:
        with _quiet_stderr() as said:
            try:
                if target:
                    import fineadvisor

                    ray.init(address=target, runtime_env={"py_modules": [os.path.dirname(fineadvisor.__file__)]},
                             logging_level=logging.ERROR, log_to_driver=False)
                else:
                    ray.init(num_cpus=cpus, include_dashboard=False, logging_level=logging.ERROR,
                             log_to_driver=False, _node_ip_address="127.0.0.1")
            except (ConnectionError, RuntimeError, ValueError) as exc:
                where = f"the Ray cluster at {target}" if target else "a local Ray"
                if "InvalidAuthToken" in said() or "Unauthenticated" in said():
                    raise InputError(f"{where} refused the connection: it requires a token; set RAY_AUTH_MODE=token "
                                     "and RAY_AUTH_TOKEN (or RAY_AUTH_TOKEN_PATH) as on its head") from None
                raise InputError(f"cannot start or join {where}: {str(exc).splitlines()[0][:200]}") from None
    try:
        yield ray
    finally:
        if started:
            ray.shutdown()


def _token_at_hand() -> bool:
    """Whether a Ray token is where Ray looks for one (RAY_AUTH_TOKEN, RAY_AUTH_TOKEN_PATH, ~/.ray/auth_token)."""
    return bool(os.environ.get("RAY_AUTH_TOKEN") or os.environ.get("RAY_AUTH_TOKEN_PATH")
                or os.path.isfile(os.path.expanduser("~/.ray/auth_token")))


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[Any]:
    """Ray's C++ core writes its retries to file descriptor 2 (a line a second while it cannot connect): kept in a
    temporary file while Ray starts, readable through the yielded function, and dropped."""
    import sys
    import tempfile

    with tempfile.TemporaryFile() as kept:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError):  # no real descriptor 2 (e.g. under a test runner): nothing to quiet
            yield lambda: ""
            return
        os.dup2(kept.fileno(), 2)
        try:
            yield lambda: (kept.seek(0), kept.read().decode("utf-8", "replace"))[1]
        finally:
            os.dup2(saved, 2)
            os.close(saved)


REACH_SECONDS = 5.0
"""How long joining a cluster waits for its head to answer before saying it cannot be reached (Ray itself retries
for minutes, printing its own warnings)."""


def _check_reachable(address: str) -> None:
    """Refuse, in seconds and in one sentence, a cluster address whose head does not answer: `host:port` (the GCS,
    6379 by default) or `ray://host:port` (Ray Client, 10001); "auto" and "local" are left to Ray."""
    import socket

    if address in ("auto", "local"):
        return
    hostport = address.removeprefix("ray://").rstrip("/")
    host, sep, port = hostport.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise InputError(f"the Ray address {address!r} is not host:port or ray://host:port "
                         "(e.g. 10.0.0.5:6379 or ray://head:10001)")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=REACH_SECONDS) as conn:
            speaks_grpc = _answers_http2(conn)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(f"cannot reach the Ray cluster at {address}: {reason}; check the address (the head's "
                         "host:port, 6379 by default, or ray://host:10001 for Ray Client) and that the head is "
                         "running") from None
    if not speaks_grpc:
        raise InputError(f"{address} answers, but not as a Ray head (Ray speaks gRPC there); check the address (the "
                         "head's host:port, 6379 by default, or ray://host:10001 for Ray Client)")


_HTTP2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])
"""An HTTP/2 client's connection preface and an empty SETTINGS frame (RFC 9113 §3.4)."""


def _answers_http2(conn: object) -> bool:
    """Whether the server at the other end of `conn` answers an HTTP/2 preface with its own SETTINGS frame, as every
    gRPC server (a Ray head's GCS, Ray Client) does at once; an HTTP/1 server, or one that stays silent, does not."""
    import socket

    assert isinstance(conn, socket.socket)
    try:
        conn.sendall(_HTTP2_PREFACE)
        head = b""
        while len(head) < 9:
            more = conn.recv(9 - len(head))
            if not more:
                return False
            head += more
    except OSError:
        return False
    return head[3] == 4  # the frame type of the server's first frame: SETTINGS


def ray_results(path: LogSource, ray: Any, model: str | None, strict: bool, max_bytes: int | None,
                ) -> Iterator[tuple[Chunk, Any]]:
    """(chunk, its ChunkResult) for every task's chunks of one input, counted by Ray tasks, in input order; a task's
    byte ranges are given as one range."""
    from fineadvisor.measure.containers import read_chunks

    remote = ray.remote(_count)
    window: list[tuple[Chunk, Any]] = []
    size = max(2, WINDOW_PER_CPU * int(ray.cluster_resources().get("CPU", 1)))
    for task in _tasks(read_chunks(path, max_bytes=max_bytes)):
        whole = task[0] if len(task) == 1 else dataclasses.replace(task[0], end=task[-1].end)
        window.append((whole, remote.remote(task, model, strict)))
        if len(window) >= size:
            c, ref = window.pop(0)
            yield c, _get(ray, ref, c)
    for c, ref in window:
        yield c, _get(ray, ref, c)


def _get(ray: Any, ref: Any, chunk: Chunk) -> Any:
    """A task's result; its failure as our own error (a data error as itself, anything else in one sentence naming
    the input), never Ray's traceback from the worker."""
    from fineadvisor.errors import FineAdvisorError
    from fineadvisor.measure.logs import describe

    try:
        return ray.get(ref)
    except ray.exceptions.RayError as exc:
        cause = getattr(exc, "cause", None)
        if isinstance(cause, FineAdvisorError):
            raise cause from None
        what = f"{type(cause).__name__}: {cause}" if cause is not None else type(exc).__name__
        raise InputError(f"{describe(chunk.path)}: a Ray task failed on a worker ({what.splitlines()[0][:200]}); "
                         "the same input with --engine local shows whether it is the data or the cluster") from None


def _tasks(chunks: Iterable[Chunk]) -> Iterator[list[Chunk]]:
    """Chunks as tasks: up to `TASK_CHUNKS` consecutive byte ranges together, a chunk holding its lines alone."""
    group: list[Chunk] = []
    for chunk in chunks:
        if chunk.data is not None or chunk.first_line_no >= 0:
            if group:
                yield group
                group = []
            yield [chunk]
            continue
        group.append(chunk)
        if len(group) >= TASK_CHUNKS:
            yield group
            group = []
    if group:
        yield group
