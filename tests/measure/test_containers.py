"""Every container is told by its content and read to the same records: JSON Lines (plain, gzip, zstd), one JSON
document (an array, a wrapper object, pretty-printed or minified), CSV and Parquet."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest
from backports import zstd

from fineadvisor.errors import InputError, NoRecordsError
from fineadvisor.measure.analysis import analyze_logs
from fineadvisor.measure.containers import Layout, read_chunks, row_object, sniff
from fineadvisor.measure.logs import MemoryLog, chunk_lines

# Three Chat Completions pairs with billed usage: inputs 11 + 12 + 13 = 36, outputs 2 + 3 + 4 = 9.
PAIRS = [
    {"request": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"question {i}"}]},
     "response": {"choices": [{"message": {"role": "assistant", "content": "answer"}}],
                  "usage": {"prompt_tokens": 10 + i, "completion_tokens": 1 + i}}}
    for i in (1, 2, 3)
]
BILLED_IN, BILLED_OUT = 36, 9


def jsonl(records: list[Any]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (jsonl(PAIRS), "a.jsonl", Layout("jsonl")),
        (b"", "a.jsonl", Layout("jsonl")),
        (json.dumps(PAIRS, indent=2).encode(), "a.json", Layout("json_document", "item")),
        (json.dumps(PAIRS).encode(), "a.json", Layout("json_document", "item")),  # an array on one line
        (json.dumps({"data": PAIRS, "meta": {"page": 1}}).encode(), "x", Layout("json_document", "data.item")),
        (json.dumps({"evalId": "e", "results": {"version": 3, "results": PAIRS}}, indent=1).encode(), "r.json",
         Layout("json_document", "results.results.item")),
        # A Langfuse ingestion request is read whole (its create and update events are merged); a record that holds
        # a list under a wrapper name (a LangSmith run's `events`) is one record, not a wrapper.
        (json.dumps({"batch": PAIRS}, indent=2).encode(), "x", Layout("json_document", "")),
        (json.dumps({"run_type": "llm", "events": [{"name": "start"}], "inputs": {}}, indent=2).encode(), "run.json",
         Layout("json_document", "")),
        (json.dumps({"run_type": "llm", "events": [{"name": "start"}], "inputs": {}}).encode(), "run.jsonl",
         Layout("jsonl")),
        (json.dumps(PAIRS[0], indent=2).encode(), "one.json", Layout("json_document", "")),  # one record
        (b"[1, 2, 3]\n", "a.jsonl", Layout("jsonl")),  # not records: one bad line, said so on line 1
        (b'{"broken": \n{"messages": []}\n', "a.jsonl", Layout("jsonl")),  # a cut line, then a new record
        (b"id,model,prompt_tokens\n1,gpt-4o,5\n", "export", Layout("csv")),  # a header of column names
        (b"anything\n", "export.csv", Layout("csv")),  # by its name
        (b"hello world\n", "notes.txt", Layout("jsonl")),  # then each line is reported
    ],
)
def test_sniff(head: bytes, name: str, expected: Layout) -> None:
    assert sniff(head, True, name) == expected


def test_a_long_first_json_lines_record_is_not_taken_for_a_document() -> None:
    line = json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "x" * 2_000_000}]}).encode()
    assert sniff(line[:1024 * 1024], False, "big.jsonl") == Layout("jsonl")


def _gz(data: bytes) -> bytes:
    return gzip.compress(data)


def _zst(data: bytes) -> bytes:
    return zstd.compress(data)


def _parquet(rows: list[dict[str, Any]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), buf)
    return buf.getvalue()


CSV_ROWS = ("request,response\n" + "".join(
    '"' + json.dumps(p["request"]).replace('"', '""') + '","' + json.dumps(p["response"]).replace('"', '""') + '"\n'
    for p in PAIRS)).encode()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("pairs.jsonl", jsonl(PAIRS)),
        ("pairs.jsonl.gz", _gz(jsonl(PAIRS))),
        ("pairs.jsonl.zst", _zst(jsonl(PAIRS))),
        ("pairs.json", json.dumps(PAIRS, indent=2).encode()),
        ("pairs.json.gz", _gz(json.dumps(PAIRS, indent=2).encode())),
        ("pairs.json.zst", _zst(json.dumps(PAIRS).encode())),
        ("page.json", json.dumps({"data": PAIRS, "meta": {"totalItems": 3}}).encode()),
        ("bom.json", b"\xef\xbb\xbf" + json.dumps({"data": PAIRS}, indent=4).encode()),
        ("pairs.csv", CSV_ROWS),
        ("pairs.csv.gz", _gz(CSV_ROWS)),
        ("pairs.parquet", _parquet([{"request": json.dumps(p["request"]), "response": json.dumps(p["response"])}
                                    for p in PAIRS])),
    ],
)
@pytest.mark.parametrize("where", ["file", "memory"])
def test_every_container_reads_the_same_records(name: str, data: bytes, where: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    source: str | MemoryLog = str(path) if where == "file" else MemoryLog(name, data)
    a = analyze_logs([source])
    assert (a.records_read, a.records_skipped) == (3, 0)
    assert (a.profile.input_tokens.total, a.profile.output_tokens.total) == (BILLED_IN, BILLED_OUT)


def test_parquet_nested_columns_are_read_as_objects(tmp_path: Path) -> None:
    # A struct column holds the request as an object; a dotted column name nests the usage.
    rows = [{"request": p["request"], "response.choices": json.dumps(p["response"]["choices"]),
             "response.usage.prompt_tokens": p["response"]["usage"]["prompt_tokens"],
             "response.usage.completion_tokens": p["response"]["usage"]["completion_tokens"]} for p in PAIRS]
    path = tmp_path / "nested.parquet"
    path.write_bytes(_parquet(rows))
    a = analyze_logs([str(path)])
    assert (a.profile.input_tokens.total, a.profile.output_tokens.total) == (BILLED_IN, BILLED_OUT)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"a": "1", "b": "", "c": None}, {"a": 1}),  # empty cells dropped, integers read
        ({"usage.input": "5", "usage.output": "2"}, {"usage": {"input": 5, "output": 2}}),  # dotted names nest
        ({"body": '{"x": [1]}', "note": "{not json}"}, {"body": {"x": [1]}, "note": "{not json}"}),
        ({"n": "007", "f": "1.5", "t": "gpt-4o"}, {"n": 7, "f": "1.5", "t": "gpt-4o"}),
    ],
)
def test_row_object(row: dict[str, object], expected: dict[str, Any]) -> None:
    assert row_object(row) == expected


def test_a_bad_record_in_a_document_is_named_by_its_number(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps([PAIRS[0], {"prompt": "hi"}, PAIRS[2]], indent=2))
    a = analyze_logs([str(path)])
    assert (a.records_read, a.records_skipped) == (2, 1)
    assert str(a.skipped_examples[0]).startswith(f"{path}, record 2: no \"messages\" list")


def test_a_bad_csv_row_is_named_by_its_row(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_bytes(CSV_ROWS + b'"{}","{}"\n')
    a = analyze_logs([str(path)])
    assert a.records_skipped == 1 and str(a.skipped_examples[0]).startswith(f"{path}, row 4: ")


def test_a_document_that_is_neither_records_nor_a_record_gets_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"theme": "dark", "fontSize": 12}, indent=2))
    with pytest.raises(InputError, match=r"is one JSON document \(an object with keys: fontSize, theme\), not JSON "
                                         r"Lines; it holds no list of records"):
        analyze_logs([str(path)])


def test_a_truncated_document_says_so(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text(json.dumps(PAIRS, indent=2)[:-40])
    with pytest.raises(InputError, match="the JSON document ends early"):
        analyze_logs([str(path)])


def test_truncated_zstd_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl.zst"
    path.write_bytes(_zst(jsonl(PAIRS * 50))[:-20])
    with pytest.raises(InputError, match=r"zstd stream is truncated or corrupt.*zstd -t"):
        analyze_logs([str(path)])


def test_an_excel_workbook_is_named(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(InputError, match=r"ZIP archive .*export the sheet as CSV"):
        analyze_logs([str(path)])


def test_document_records_stream_in_chunks(tmp_path: Path) -> None:
    # 3,000 records in 64 KiB chunks: every record once, numbered 1..3000 across chunks.
    path = tmp_path / "many.json"
    path.write_text(json.dumps(PAIRS * 1000))
    chunks = list(read_chunks(str(path), chunk_bytes=64 * 1024))
    assert len(chunks) > 1 and {c.unit for c in chunks} == {"record"}
    numbers = [line.line_no for c in chunks for line in chunk_lines(c) if line.end > line.start]
    assert numbers == list(range(1, 3001))


def test_an_empty_array_has_no_records(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text("[\n]\n")
    with pytest.raises(NoRecordsError):
        analyze_logs([str(path)])


# A Langfuse ingestion request: the create event has the prompt, the update the output and usage (8 in, 2 out).
LANGFUSE_BATCH = {"batch": [
    {"id": "ev-1", "type": "generation-create", "timestamp": "2026-11-02T10:00:00.000Z",
     "body": {"id": "gen-1", "traceId": "tr-1", "model": "gpt-4o-mini", "input": [{"role": "user", "content": "Hi"}]}},
    {"id": "ev-2", "type": "generation-update", "timestamp": "2026-11-02T10:00:01.000Z",
     "body": {"id": "gen-1", "output": "Hello!", "usageDetails": {"input": 8, "output": 2}}}],
    "metadata": {"batch_size": 2}}


@pytest.mark.parametrize("indent", [None, 2])
def test_a_langfuse_ingestion_request_document_is_merged(indent: int | None, tmp_path: Path) -> None:
    path = tmp_path / "ingestion.json"
    path.write_text(json.dumps(LANGFUSE_BATCH, indent=indent))
    a = analyze_logs([str(path)])
    assert (a.records_read, a.records_skipped) == (1, 0)
    assert (a.profile.input_tokens.total, a.profile.output_tokens.total) == (8, 2)


@pytest.mark.parametrize("indent", [None, 2])
def test_one_langsmith_run_with_its_events_is_one_record(indent: int | None, tmp_path: Path) -> None:
    run = {"id": "r1", "name": "ChatOpenAI", "run_type": "llm", "events": [{"name": "start", "time": "t"}],
           "inputs": {"messages": [[{"role": "user", "content": "Hi"}]]},
           "outputs": {"generations": [[{"text": "Hello", "message": {"role": "assistant", "content": "Hello"}}]]},
           "extra": {"metadata": {"ls_model_name": "gpt-4o-mini"}},
           "usage_metadata": {"input_tokens": 9, "output_tokens": 1, "total_tokens": 10}}
    path = tmp_path / "run.json"
    path.write_text(json.dumps(run, indent=indent))
    a = analyze_logs([str(path)])
    assert (a.records_read, a.profile.input_tokens.total, a.profile.output_tokens.total) == (1, 9, 1)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"<!doctype html>\n<html><body>export</body></html>\n", "an HTML or XML page"),
        (b"---\nmodel: gpt-4o\nmessages:\n  - role: user\n", "YAML"),
        (b"[pricing]\nmodel = 'x'\nrate = 1\n", None),  # starts with "[": could be JSON, so not named
        (b"model = 'x'\nrate = 1\n", "TOML or INI"),
        (b"hello world\n", "plain text"),
        (b'{"messages": []}\n', None),
    ],
)
def test_looks_like(head: bytes, expected: str | None) -> None:
    from fineadvisor.measure.containers import looks_like

    assert looks_like(MemoryLog("x", head)) == expected


def test_a_file_that_is_not_a_log_is_named_once(tmp_path: Path) -> None:
    path = tmp_path / "export.html"
    path.write_text("<html><body><table><tr><td>1</td></tr></table></body></html>\n")
    with pytest.raises(NoRecordsError, match=r"looks like an HTML or XML page, not a log"):
        analyze_logs([str(path)])
