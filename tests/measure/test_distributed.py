"""The Ray engine gives exactly the local profile: on the bundled examples and on a generated log of many chunks,
plain and gzipped, with bad lines, on a local 2-CPU Ray started (on 127.0.0.1) and stopped here."""

from __future__ import annotations

import gzip
import json
import os
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from fineadvisor import analyze_logs
from fineadvisor.errors import InputError
from fineadvisor.measure.analysis import LogAnalysis
from fineadvisor.present.cli import cli
from tests.conftest import stop

ROOT = Path(__file__).parents[2]
EX = ROOT / "examples"


def test_the_command_line_joins_a_running_cluster_by_its_address(tmp_path: Path) -> None:
    """A head started with `ray start --head` (token authentication, as Ray ≥ 2.59 starts one), joined by a separate
    process with --ray-address: the profile is the local one. First in this file: before `local_ray` starts a Ray
    in this process."""
    import shutil
    import socket
    import subprocess
    import time

    pytest.importorskip("ray")
    from fineadvisor.measure.distributed import _answers_http2

    ray_cli = shutil.which("ray") or str(Path(sys.executable).parent / "ray")
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    import tempfile

    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "HOME": str(tmp_path)}
    short = tempfile.mkdtemp(prefix="fa-ray-", dir="/tmp")  # Ray's socket paths must stay under 108 bytes
    head = subprocess.Popen([ray_cli, "start", "--head", "--block", f"--port={port}", "--num-cpus=1",
                             "--include-dashboard=false", "--node-ip-address=127.0.0.1", f"--temp-dir={short}"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
                    if _answers_http2(conn):
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline and head.poll() is None, \
                f"the Ray head did not start: {head.stderr.read()[-2000:] if head.poll() is not None else ''}"
            time.sleep(0.5)
        time.sleep(2)  # the head's raylet registers after its GCS answers
        log = str(EX / "support_bot.jsonl")
        args = [sys.executable, "-m", "fineadvisor", "estimate", log, "--profile-only", "--json", "-q"]
        joined = subprocess.run([*args, "--engine", "ray", "--ray-address", f"127.0.0.1:{port}"], env=env,
                                capture_output=True, text=True, timeout=180, cwd=tmp_path)
        local = subprocess.run(args, env=env, capture_output=True, text=True, timeout=180, cwd=tmp_path)
        assert joined.returncode == 0, joined.stderr
        assert json.loads(joined.stdout) == json.loads(local.stdout)
        assert "gcs_client" not in joined.stderr  # Ray's own retries are not shown
    finally:
        stop(head, timeout_s=60)
        shutil.rmtree(short, ignore_errors=True)


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray = pytest.importorskip("ray")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # nothing leaves the machine
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1")
    try:
        yield
    finally:
        ray.shutdown()


def same(a: LogAnalysis, b: LogAnalysis) -> None:
    assert a.profile == b.profile and a.readiness == b.readiness
    assert (a.lines_read, a.records_read, a.records_skipped) == (b.lines_read, b.records_read, b.records_skipped)
    assert a.skipped_examples == b.skipped_examples and a.skipped_reasons == b.skipped_reasons
    assert a.formats == b.formats and a.model == b.model


@pytest.mark.parametrize("inputs", [["support_bot.jsonl"], ["agent_anthropic.jsonl"],
                                    ["classify_batch_input.jsonl", "classify_batch_output.jsonl"]],
                         ids=["support-bot", "agent", "batch-pair"])
def test_the_examples_profile_exactly_as_locally(local_ray: None, inputs: list[str]) -> None:
    paths = [str(EX / n) for n in inputs]
    same(analyze_logs(paths, engine="ray"), analyze_logs(paths))


def _generated(path: Path, records: int = 6000) -> Path:
    """~9 MB of fine-tuning lines (three chunks of 4 MiB) with a bad line every 1,000."""
    rng = random.Random(11)
    systems = [f"You are assistant {k}. " * 40 for k in range(3)]
    with path.open("w") as fh:
        for i in range(records):
            if i % 1000 == 999:
                fh.write("{not json\n")
                continue
            user = " ".join(f"q{rng.randrange(5000)}" for _ in range(rng.randrange(20, 300)))
            reply = " ".join(f"a{rng.randrange(5000)}" for _ in range(rng.randrange(5, 120)))
            fh.write(json.dumps({"messages": [{"role": "system", "content": rng.choice(systems)},
                                              {"role": "user", "content": user},
                                              {"role": "assistant", "content": reply}]}) + "\n")
    return path


@pytest.mark.parametrize(("gz", "task_chunks"), [(False, 16), (False, 2), (False, 1), (True, 16)],
                         ids=["plain", "plain-2-a-task", "plain-1-a-task", "gzip"])
def test_a_generated_log_of_many_chunks_profiles_exactly_as_locally(local_ray: None, tmp_path: Path, gz: bool,
                                                                   task_chunks: int,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from fineadvisor.measure import distributed

    monkeypatch.setattr(distributed, "TASK_CHUNKS", task_chunks)  # the driver groups byte ranges into tasks
    path = _generated(tmp_path / "gen.jsonl")
    assert path.stat().st_size > 8 * 2**20  # more than two chunks: the merge order matters
    if gz:
        zipped = tmp_path / "gen.jsonl.gz"
        zipped.write_bytes(gzip.compress(path.read_bytes()))
        path = zipped
    ray_run, local = analyze_logs([str(path)], engine="ray"), analyze_logs([str(path)], workers=1)
    same(ray_run, local)
    assert ray_run.records_skipped == 6 and ray_run.skipped_examples[0].line_no == 1000  # numbered as locally
    assert [b.line_no for b in ray_run.skipped_examples] == [1000, 2000, 3000, 4000, 5000]


def test_a_task_with_more_groups_than_its_table_sends_them_all(local_ray: None, tmp_path: Path) -> None:
    """40,000 conversations, each with its own earlier turn: one task's records fall into more groups than
    `GROUP_SLOTS` (32,768), so the worker moves some to a temporary file; they are sent with the result and merged
    (they were once lost in the merge, and the result could not be sent)."""
    from fineadvisor.measure import profile

    rng = random.Random(5)
    path = tmp_path / "turns.jsonl"
    with path.open("w") as fh:
        for i in range(40_000):
            fh.write(json.dumps({"messages": [
                {"role": "system", "content": "Answer briefly."},
                {"role": "user", "content": f"earlier {i} " + "x " * rng.randrange(1, 30)},
                {"role": "assistant", "content": f"reply {i}"},
                {"role": "user", "content": "and now?"}]}) + "\n")
    assert profile.GROUP_SLOTS < 40_000
    ray_run, local = analyze_logs([str(path)], engine="ray"), analyze_logs([str(path)], workers=1)
    same(ray_run, local)
    assert ray_run.profile.records == 40_000 and ray_run.profile.history_tokens.count == 40_000


def test_strict_stops_at_the_first_bad_line_as_locally(local_ray: None, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from fineadvisor.errors import LogFormatError
    from fineadvisor.measure import distributed

    monkeypatch.setattr(distributed, "TASK_CHUNKS", 2)
    path = _generated(tmp_path / "gen.jsonl")
    with pytest.raises(LogFormatError, match=r"gen\.jsonl:1000"):
        analyze_logs([str(path)], engine="ray", strict=True)


def test_the_command_line_gives_the_same_json(local_ray: None) -> None:
    log = str(EX / "support_bot.jsonl")
    args = ["estimate", log, "--requests-per-day", "20000", "--start", "2026-12-03", "--json"]
    local = CliRunner().invoke(cli, args)
    ray_run = CliRunner().invoke(cli, [*args, "--engine", "ray"])
    assert local.exit_code == 0 and ray_run.exit_code == 0, ray_run.stderr
    assert json.loads(local.stdout) == json.loads(ray_run.stdout)


def test_without_ray_installed_the_engine_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray → ImportError
    with pytest.raises(InputError, match=r"pip install 'fineadvisor\[ray\]'"):
        analyze_logs([str(EX / "support_bot.jsonl")], engine="ray")


@pytest.mark.parametrize(("address", "message"), [
    ("ray://127.0.0.1:{port}", "cannot reach the Ray cluster at ray://127.0.0.1:{port}: Connection refused"),
    ("127.0.0.1:{port}", "cannot reach the Ray cluster at 127.0.0.1:{port}: Connection refused"),
    ("head-without-port", "is not host:port or ray://host:port"),
])
def test_an_address_nobody_answers_is_refused_in_seconds(address: str, message: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Ray would retry for minutes and print its own warnings: a closed port is one sentence, exit 1, at once."""
    import socket
    import time

    ray = pytest.importorskip("ray")
    monkeypatch.setattr(ray, "is_initialized", lambda: False)  # as in a fresh process (this module's Ray is up)
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens on it
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.monotonic()
    result = CliRunner().invoke(cli, ["estimate", str(EX / "support_bot.jsonl"), "--profile-only", "--engine", "ray",
                                      "--ray-address", address.format(port=port)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and message.format(port=port) in result.stderr
    assert "Traceback" not in result.stderr and time.monotonic() - start < 10


def test_an_address_that_answers_but_not_as_ray_is_refused_in_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    """A web server on the port (no HTTP/2 SETTINGS frame back to the preface): Ray would wait for minutes; one
    sentence, exit 1, at once."""
    import http.server
    import threading
    import time

    ray = pytest.importorskip("ray")
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        start = time.monotonic()
        address = f"127.0.0.1:{server.server_address[1]}"
        result = CliRunner().invoke(cli, ["estimate", str(EX / "support_bot.jsonl"), "--profile-only", "--engine",
                                          "ray", "--ray-address", address])
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 1 and f"{address} answers, but not as a Ray head" in result.stderr
    assert time.monotonic() - start < 10
