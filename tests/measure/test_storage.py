"""Logs in object storage, read from a local S3-compatible server (moto's, on 127.0.0.1, started and stopped here),
and many logs at once: directories, prefixes, globs."""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from fineadvisor import analyze_logs
from fineadvisor.errors import InputError
from fineadvisor.measure import storage
from fineadvisor.present.cli import cli

ROOT = Path(__file__).parents[2]
SUPPORT = ROOT / "examples" / "support_bot.jsonl"
AGENT = ROOT / "examples" / "agent_anthropic.jsonl"
SECRET = "s3cr3t-Key-never-shown"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("s3://bucket/logs/a.jsonl", "s3://bucket/logs/a.jsonl"),
        ("s3://bucket/a.jsonl?access_key=AKIA&secret_key=xyz", "s3://bucket/a.jsonl"),  # the query never shows
        ("s3://AKIA:xyz@bucket/a.jsonl", "s3://bucket/a.jsonl"),  # nor a user part
        ("gs://b/k.jsonl.gz", "gs://b/k.jsonl.gz"),
        ("abfs://logs@acct.dfs.core.windows.net/x.jsonl", "abfs://logs@acct.dfs.core.windows.net/x.jsonl"),
    ],
)
def test_a_url_is_shown_without_what_could_hold_a_key(url: str, shown: str) -> None:
    assert storage.shown(url) == shown


@pytest.mark.parametrize(
    ("path", "is_url"),
    [("s3://b/k", True), ("S3://b/k", True), ("gs://b/k", True), ("az://c/k", True), ("abfss://c@a/k", True),
     ("http://example.com/x.jsonl", False), ("logs/s3:/x", False), ("-", False), ("file.jsonl", False)],
)
def test_which_paths_are_object_urls(path: str, is_url: bool) -> None:
    assert storage.is_url(path) is is_url


@pytest.mark.parametrize(("url", "message"), [
    ("abfss://cont:hunter2@acct.dfs.core.windows.net/k.jsonl", "the URL holds a secret"),
    ("s3://AKIA:hunter2@bucket/x.jsonl", "the URL holds a secret"),
    ("gs://user:hunter2@bucket/x.jsonl", "the URL holds a secret"),
    ("http://admin:hunter2@example.com/x.jsonl", "not other URLs"),
    ("s3a://AKIA:hunter2@bucket/x", "not other URLs"),
    ("https://host/x.jsonl?X-Amz-Signature=hunter2", "not other URLs"),  # a presigned URL
])
def test_a_url_with_a_secret_or_another_scheme_is_refused_without_showing_it(url: str, message: str) -> None:
    """Refused before anything is fetched, in one line that names the object but not the secret."""
    result = CliRunner().invoke(cli, ["estimate", url, "--profile-only"])
    assert result.exit_code == 1 and message in result.stderr
    assert "hunter2" not in result.stderr + result.stdout and "Traceback" not in result.stderr


def test_a_gcs_store_nobody_answers_fails_in_seconds_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyarrow retries GCS requests for 15 minutes by default: a gs:// URL with no network seemed to hang. The retry
    limit (1 s here, through an emulator address nobody listens on) ends it with one line."""
    import socket
    import time

    with socket.socket() as free:  # a port nobody listens on
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"127.0.0.1:{port}")
    monkeypatch.setattr(storage, "GCS_RETRY_SECONDS", 1)
    storage.forget_filesystems()
    start = time.monotonic()
    try:
        result = CliRunner().invoke(cli, ["estimate", "gs://bucket/k.jsonl", "--profile-only"])
    finally:
        storage.forget_filesystems()
    assert result.exit_code == 1 and "gs://bucket/k.jsonl: cannot read from the object store" in result.stderr
    assert time.monotonic() - start < 30 and "Traceback" not in result.stderr


def test_a_directory_or_glob_names_its_files_sorted_without_hidden_ones(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("b.jsonl", "a.jsonl", "sub/c.jsonl.gz", "_SUCCESS", ".a.jsonl.crc"):
        (tmp_path / name).write_bytes(b"{}\n")
    assert storage.expand([str(tmp_path)]) == [str(tmp_path / n) for n in ("a.jsonl", "b.jsonl", "sub/c.jsonl.gz")]
    assert storage.expand([str(tmp_path / "*.jsonl")]) == [str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")]
    assert storage.expand(["-", "missing.jsonl"]) == ["-", "missing.jsonl"]  # opening them says what is wrong
    with pytest.raises(InputError, match="matches no log file"):
        storage.expand([str(tmp_path / "*.parquet")])


def test_a_directory_reads_like_its_files(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    shutil.copy(SUPPORT, tmp_path / "logs" / "a.jsonl")
    (tmp_path / "logs" / "b.jsonl.gz").write_bytes(gzip.compress(AGENT.read_bytes()))
    whole = analyze_logs([str(tmp_path / "logs")])
    one_by_one = analyze_logs([str(tmp_path / "logs" / "a.jsonl"), str(tmp_path / "logs" / "b.jsonl.gz")])
    assert whole.profile == one_by_one.profile and whole.readiness == one_by_one.readiness
    assert whole.paths == one_by_one.paths


# ---------------------------------------------------------------- a local S3-compatible server


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    """moto's S3 server on 127.0.0.1 (an ephemeral port), for this module's tests only."""
    server_module = pytest.importorskip("moto.server")
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A bucket of logs: the support bot plain and gzipped, a prefix of two logs and a marker, a Parquet copy."""
    import pyarrow.fs as pafs

    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    storage.forget_filesystems()
    host = s3_server.removeprefix("http://")
    fs = pafs.S3FileSystem(endpoint_override=host, scheme="http", region="us-east-1", allow_bucket_creation=True,
                           access_key="testing", secret_key=SECRET)
    fs.create_dir("logs")
    objects = {"logs/support_bot.jsonl": SUPPORT.read_bytes(), "logs/support_bot.jsonl.gz": gzip.compress(SUPPORT.read_bytes()),
               "logs/many/a.jsonl": SUPPORT.read_bytes(), "logs/many/b.jsonl.gz": gzip.compress(AGENT.read_bytes()),
               "logs/many/_SUCCESS": b""}
    for key, data in objects.items():
        with fs.open_output_stream(key) as out:
            out.write(data)
    yield "s3://logs"
    storage.forget_filesystems()


@pytest.mark.parametrize("name", ["support_bot.jsonl", "support_bot.jsonl.gz"])
def test_an_object_reads_exactly_like_the_same_file_on_disk(bucket: str, name: str) -> None:
    remote = analyze_logs([f"{bucket}/{name}"])
    local = analyze_logs([str(SUPPORT)])
    assert remote.profile == local.profile and remote.readiness == local.readiness
    assert (remote.records_read, remote.lines_read, remote.records_skipped) == (400, 400, 0)
    assert remote.paths == (f"{bucket}/{name}",)


def test_a_prefix_and_a_glob_name_the_objects_under_them(bucket: str) -> None:
    assert storage.expand([f"{bucket}/many/"]) == [f"{bucket}/many/a.jsonl", f"{bucket}/many/b.jsonl.gz"]
    assert storage.expand([f"{bucket}/many/*.gz"]) == [f"{bucket}/many/b.jsonl.gz"]
    assert storage.expand([f"{bucket}/many"]) == storage.expand([f"{bucket}/many/"])  # a "directory" without its /
    prefix = analyze_logs([f"{bucket}/many/"])
    files = analyze_logs([str(SUPPORT), str(AGENT)])
    assert prefix.profile == files.profile and prefix.readiness == files.readiness


def test_a_parquet_object_reads_like_the_parquet_file(bucket: str, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.fs as pafs
    import pyarrow.parquet as pq

    table = pa.table({"model": ["gpt-4o-mini"] * 3,
                      "messages": ['[{"role": "user", "content": "hello there"}]'] * 3})
    pq.write_table(table, tmp_path / "t.parquet")
    fs, _ = storage._locate(f"{bucket}/t.parquet")
    assert isinstance(fs, pafs.S3FileSystem)
    with fs.open_output_stream("logs/t.parquet") as out:
        out.write((tmp_path / "t.parquet").read_bytes())
    remote, local = analyze_logs([f"{bucket}/t.parquet"]), analyze_logs([str(tmp_path / "t.parquet")])
    assert remote.profile == local.profile and remote.records_read == 3


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("s3://logs/nope.jsonl", "s3://logs/nope.jsonl: no such object; check the bucket and the key"),
        ("s3://no-such-bucket/x.jsonl", "s3://no-such-bucket/x.jsonl: no such object"),
        ("s3://logs/many/*.parquet", "s3://logs/many/*.parquet: matches no log file"),
        ("s3:///x.jsonl", "no bucket or container in the URL"),
    ],
)
def test_a_missing_object_is_a_clear_error_that_shows_no_secret(bucket: str, url: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        analyze_logs([url])
    assert message in str(err.value) and SECRET not in str(err.value)


def test_the_command_line_reads_an_object(bucket: str) -> None:
    # a query string is not where credentials are taken from (the environment is): it is ignored, and never shown
    result = CliRunner().invoke(cli, ["estimate", f"{bucket}/support_bot.jsonl.gz?secret_key={SECRET}", "--profile-only"])
    assert result.exit_code == 0, result.stderr
    assert "s3://logs/support_bot.jsonl.gz" in result.stdout and SECRET not in result.stdout + result.stderr
    result = CliRunner().invoke(cli, ["estimate", f"{bucket}/support_bot.jsonl?secret_key={SECRET}", "--json"])
    assert result.exit_code == 0 and SECRET not in result.stdout
    result = CliRunner().invoke(cli, ["estimate", f"{bucket}/many/", "--profile-only"])
    assert result.exit_code == 0, result.stderr
    assert "s3://logs/many/a.jsonl, s3://logs/many/b.jsonl.gz" in result.stdout and SECRET not in result.stdout


def test_a_plain_object_is_read_in_byte_ranges_and_sampled_by_offsets(bucket: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """An uncompressed object is split into byte ranges like a file (workers read their own range from the store),
    and --sample draws byte offsets in it: the same seed, the same lines as on disk. The workers get the store's
    settings from the parent even when their forkserver started before those were set."""
    from fineadvisor.measure.logs import is_plain_file

    with monkeypatch.context() as clean:
        for name in storage.ENVIRONMENT:
            clean.delenv(name, raising=False)
        analyze_logs([str(SUPPORT)], workers=2)  # starts (or reuses) the forkserver without the store's settings

    url = f"{bucket}/support_bot.jsonl"
    assert is_plain_file(url) and not is_plain_file(f"{bucket}/support_bot.jsonl.gz")
    remote, local = analyze_logs([url], workers=2), analyze_logs([str(SUPPORT)], workers=1)
    assert remote.profile == local.profile and remote.readiness == local.readiness
    sampled_remote, sampled_local = analyze_logs([url], sample=60, seed=9), analyze_logs([str(SUPPORT)], sample=60, seed=9)
    assert sampled_remote.sample is not None and sampled_remote.sample.method == "offsets"
    assert sampled_remote.profile == sampled_local.profile
    gz = analyze_logs([f"{bucket}/support_bot.jsonl.gz"], sample=60, seed=9)
    assert gz.sample is not None and gz.sample.method == "reservoir"


def test_the_ray_engine_reads_objects_exactly_like_files_on_disk(bucket: str, tmp_path: Path) -> None:
    """`--engine ray` on a prefix of objects (plain, read by the tasks in byte ranges, and gzipped, read by the driver):
    a local Ray started for the run inherits the store's settings; the profile is the files' on disk."""
    pytest.importorskip("ray")
    on_disk = [str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl.gz")]
    shutil.copy(SUPPORT, on_disk[0])
    Path(on_disk[1]).write_bytes(gzip.compress(AGENT.read_bytes()))
    ray_run = analyze_logs([f"{bucket}/many/"], engine="ray")
    local = analyze_logs(on_disk)
    assert ray_run.profile == local.profile and ray_run.readiness == local.readiness
    assert ray_run.records_read == local.records_read > 400  # both logs: the support bot has 400
