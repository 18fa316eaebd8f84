"""Logs in object storage (s3://, gs://, az://) and many logs at once (directories, prefixes, globs).

Object stores are read through pyarrow's filesystems (already a dependency for Parquet), with credentials from the
standard places each SDK looks — the environment, profiles, instance metadata — never from us and never printed:
    s3://bucket/key      S3FileSystem: AWS_PROFILE / AWS_ACCESS_KEY_ID …, AWS_REGION (else the bucket's region is
                         looked up); AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL for S3-compatible servers (MinIO, moto)
    gs://bucket/key      GcsFileSystem: GOOGLE_APPLICATION_CREDENTIALS or the gcloud defaults
    az://container/key   AzureFileSystem: AZURE_STORAGE_ACCOUNT_NAME, with AZURE_STORAGE_ACCOUNT_KEY or the default
                         Azure credential chain (abfs:// and abfss:// URLs name the account themselves)
A URL is shown without its query string or user part, so that a key in it never reaches a message.
"""

from __future__ import annotations

import fnmatch
import glob
import io
import os
import re
from collections.abc import Iterator, Sequence
from datetime import timedelta
from functools import cache
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fineadvisor.errors import InputError

if TYPE_CHECKING:
    import pyarrow.fs as pafs

SCHEMES = ("s3", "gs", "gcs", "az", "abfs", "abfss")
"""URL schemes read from object storage."""
READ_BUFFER_BYTES = 1 << 20
"""Bytes fetched from an object store per read (one request per MiB, not per line)."""
MAX_LISTED = 1_000_000
"""Objects a prefix or glob may expand to (a guard against listing a whole data lake by mistake)."""
_GLOB = ("*", "?", "[")
GCS_RETRY_SECONDS = 10
"""How long a GCS request is retried (pyarrow's default is 15 minutes: without credentials or network a gs:// URL
seemed to hang); a failure then is reported in one line, in about twice this."""
_OTHER_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
"""Any URL (http://, https://, s3a://, …): refused unless its scheme is one of `SCHEMES`."""


def is_url(path: str) -> bool:
    """Whether `path` names an object in a store fineadvisor reads (s3://, gs://, az://, abfs://)."""
    scheme, sep, _ = path.partition("://")
    return bool(sep) and scheme.lower() in SCHEMES


def shown(url: str) -> str:
    """A URL as messages show it: scheme, bucket and key, without a user part or query string (where keys hide)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme.lower() in ("abfs", "abfss") and parts.username:  # abfs://container@account…: no secret there
        host = f"{parts.username}@{host}"
    return f"{parts.scheme}://{host}{parts.path}"


ENVIRONMENT = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE",
               "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE",
               "AWS_SHARED_CREDENTIALS_FILE", "GOOGLE_APPLICATION_CREDENTIALS", "STORAGE_EMULATOR_HOST",
               "AZURE_STORAGE_ACCOUNT_NAME", "AZURE_STORAGE_ACCOUNT_KEY")
"""The variables the object stores are configured by: handed to worker processes, which may have started earlier."""


def environment() -> dict[str, str]:
    """The object-store variables set now (for worker processes; never shown)."""
    return {k: os.environ[k] for k in ENVIRONMENT if k in os.environ}


def forget_filesystems() -> None:
    """Drop the filesystems made so far (after the environment that configures them changed)."""
    _filesystem.cache_clear()


@cache
def _filesystem(scheme: str, account: str) -> pafs.FileSystem:
    """One filesystem per scheme (and Azure account), reused for every object."""
    import pyarrow.fs as pafs

    if scheme == "s3":
        endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        options: dict[str, Any] = {}
        if endpoint:
            target = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
            options.update(endpoint_override=target.netloc + target.path.rstrip("/"), scheme=target.scheme or "https")
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if region:
            options["region"] = region
        return pafs.S3FileSystem(**options)
    if scheme in ("gs", "gcs"):
        host = os.environ.get("STORAGE_EMULATOR_HOST")
        limit = timedelta(seconds=GCS_RETRY_SECONDS)
        if host:
            target = urlsplit(host if "://" in host else f"http://{host}")
            return pafs.GcsFileSystem(endpoint_override=target.netloc, scheme=target.scheme, anonymous=True,
                                      retry_time_limit=limit)
        return pafs.GcsFileSystem(retry_time_limit=limit)
    key = os.environ.get("AZURE_STORAGE_ACCOUNT_KEY")
    return pafs.AzureFileSystem(account_name=account, **({"account_key": key} if key else {}))


def _locate(url: str) -> tuple[pafs.FileSystem, str]:
    """The filesystem and the path inside it (bucket/key) of a URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    bucket = parts.hostname or ""
    if not bucket:
        raise InputError(f"{shown(url)}: no bucket or container in the URL; write {scheme}://BUCKET/KEY")
    if parts.password is not None:
        raise InputError(f"{shown(url)}: the URL holds a secret (user:secret@); it is not read from a URL — remove "
                         "it and give the credentials in the environment or a profile (AWS_PROFILE, "
                         "GOOGLE_APPLICATION_CREDENTIALS, AZURE_STORAGE_ACCOUNT_KEY)")
    account = ""
    if scheme in ("abfs", "abfss"):  # abfs://container@account.dfs.core.windows.net/key
        bucket, account = parts.username or "", bucket.split(".", 1)[0]
        if not bucket:
            raise InputError(f"{shown(url)}: no container in the URL; write {scheme}://CONTAINER@ACCOUNT"
                             ".dfs.core.windows.net/KEY")
    elif scheme == "az":
        account = os.environ.get("AZURE_STORAGE_ACCOUNT_NAME", "")
        if not account:
            raise InputError(f"{shown(url)}: set AZURE_STORAGE_ACCOUNT_NAME to the storage account to read az:// "
                             "URLs from (or write abfs://CONTAINER@ACCOUNT.dfs.core.windows.net/KEY)")
    try:
        fs = _filesystem("gs" if scheme == "gcs" else ("az" if scheme in ("abfs", "abfss") else scheme), account)
    except (OSError, ValueError) as exc:
        raise InputError(f"{shown(url)}: cannot connect to the object store ({_reason(exc)})") from None
    return fs, f"{bucket}{parts.path}".rstrip("/") if parts.path not in ("", "/") else bucket


def _reason(exc: BaseException) -> str:
    """An object store's error in a few words (its first line, cut short: never a credential, which it never holds)."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def _failure(url: str, exc: BaseException) -> InputError:
    text = str(exc)
    if isinstance(exc, FileNotFoundError) or "does not exist" in text or "NoSuchKey" in text:
        return InputError(f"{shown(url)}: no such object; check the bucket and the key (a prefix ends with /)")
    if isinstance(exc, PermissionError) or "AccessDenied" in text or "Forbidden" in text or "403" in text:
        return InputError(f"{shown(url)}: access denied; check the credentials in your environment or profile "
                          "(AWS_PROFILE, GOOGLE_APPLICATION_CREDENTIALS, AZURE_STORAGE_ACCOUNT_KEY)")
    if "OAuth2 access token" in text or "credentials" in text.lower():
        return InputError(f"{shown(url)}: no usable credentials for the object store; set them in your environment or "
                          "profile (AWS_PROFILE, GOOGLE_APPLICATION_CREDENTIALS, AZURE_STORAGE_ACCOUNT_KEY) and check "
                          f"the network ({_reason(exc)[:120]})")
    return InputError(f"{shown(url)}: cannot read from the object store ({_reason(exc)})")


class _Raw(io.RawIOBase):
    """A pyarrow stream or random-access file as a Python raw stream, so that `io.BufferedReader` can peek at it
    (and, for a random-access file, seek in it: byte ranges of an object)."""

    def __init__(self, handle: Any, url: str, seekable: bool = False) -> None:
        self._h, self._url, self._seekable = handle, url, seekable

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._seekable

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._h.read(len(buffer))
        except OSError as exc:
            raise _failure(self._url, exc) from None
        buffer[:len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if not self._seekable:
            raise io.UnsupportedOperation("an object's stream is not seekable")
        return int(self._h.seek(offset, whence))

    def tell(self) -> int:
        return int(self._h.tell())

    def close(self) -> None:
        try:
            self._h.close()
        finally:
            super().close()


def open_url(url: str) -> IO[bytes]:
    """The bytes of one object, streamed (never downloaded whole), buffered a MiB at a time."""
    fs, path = _locate(url)
    try:
        stream = fs.open_input_stream(path)
    except (OSError, ValueError) as exc:
        raise _failure(url, exc) from None
    return io.BufferedReader(_Raw(stream, url), READ_BUFFER_BYTES)


def open_ranged(url: str) -> IO[bytes]:
    """One object as a seekable, buffered binary file: what byte-range chunks and offset sampling read."""
    return io.BufferedReader(_Raw(open_seekable(url), url, seekable=True), READ_BUFFER_BYTES)


def open_seekable(url: str) -> Any:
    """One object as a random-access pyarrow file (what Parquet's reader needs: it reads the footer first)."""
    fs, path = _locate(url)
    try:
        return fs.open_input_file(path)
    except (OSError, ValueError) as exc:
        raise _failure(url, exc) from None


def url_size(url: str) -> int:
    """An object's size in bytes (0 when the store does not say)."""
    try:
        fs, path = _locate(url)
        info = fs.get_file_info(path)
    except (OSError, ValueError, InputError):
        return 0
    return int(info.size or 0)


def expand(paths: Sequence[str]) -> list[str]:
    """Each path as the logs it names: a file or object as it is; a directory or prefix (ending in /) as the files
    under it, sorted; a glob (*, ?, [) as the files it matches, sorted. Hidden files (., _) under a directory or
    prefix are skipped (_SUCCESS markers, .crc files). A pattern or prefix that matches nothing is an error."""
    out: list[str] = []
    for path in paths:
        if _OTHER_URL.match(path) and not is_url(path) and not os.path.exists(path):
            raise InputError(f"{shown(path)}: fineadvisor reads s3://, gs://, az:// and abfs(s):// URLs, local "
                             "files and - (stdin), not other URLs; download the log first (curl -o log.jsonl …)")
        found = list(_expand_url(path) if is_url(path) else _expand_local(path))
        if not found and not is_url(path) and os.path.isdir(path):
            raise InputError(f"{path} is a directory with no log file in it (hidden files are skipped); give a "
                             ".jsonl file, a directory of them, or - for stdin")
        if not found:
            raise InputError(f"{shown(path) if is_url(path) else path}: matches no log file")
        if len(out) + len(found) > MAX_LISTED:
            raise InputError(f"{shown(path) if is_url(path) else path}: names more than {MAX_LISTED:,} files; "
                             "narrow the prefix or the pattern")
        out.extend(found)
    return out


def _visible(name: str) -> bool:
    return not any(part.startswith((".", "_")) for part in name.split("/") if part)


def _expand_local(path: str) -> Iterator[str]:
    if os.path.isdir(path):
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if _visible(d))
            yield from (os.path.join(root, f) for f in sorted(files) if _visible(f))
        return
    if any(c in path for c in _GLOB) and not os.path.exists(path):
        yield from sorted(p for p in glob.glob(path, recursive=True) if os.path.isfile(p))
        return
    yield path  # a file, "-" or a path that does not exist (opening it says so)


def _expand_url(url: str) -> Iterator[str]:
    import pyarrow.fs as pafs

    parts = urlsplit(url)
    # abfs URLs name container@account; others only the bucket (a user part, where keys could hide, is dropped)
    fs, path = _locate(url)  # refuses a URL with a secret in it
    prefix_url = f"{parts.scheme}://{parts.netloc if parts.scheme.lower() in ('abfs', 'abfss') else parts.hostname}"
    pattern = None
    if any(c in path for c in _GLOB):
        pattern = path
        path = path[:min(path.index(c) for c in _GLOB if c in path)].rpartition("/")[0]
    elif not url.endswith("/"):
        try:
            kind = fs.get_file_info(path).type
        except (OSError, ValueError) as exc:
            raise _failure(url, exc) from None
        if kind != pafs.FileType.Directory:
            yield url  # an object (or a missing one: opening it says so)
            return
    try:
        listing = fs.get_file_info(pafs.FileSelector(path, recursive=True, allow_not_found=True))
    except (OSError, ValueError) as exc:
        raise _failure(url, exc) from None
    bucket = path.split("/", 1)[0]
    names = sorted(i.path for i in listing if i.type == pafs.FileType.File)
    for name in names:
        inside = name[len(path):] if name.startswith(path) else name
        if pattern is not None and not fnmatch.fnmatchcase(name, pattern):
            continue
        if pattern is None and not _visible(inside):
            continue
        yield f"{prefix_url}/{name[len(bucket) + 1:]}"
