"""The Streamlit page, driven by AppTest through its keyed controls."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 60


def new_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def heading(at: AppTest) -> str:
    return next(h.value for h in at.subheader if h.value.startswith("Recommendation"))


def test_runs_on_the_sample() -> None:
    """The default view (bundled support-bot log) renders with a recommendation, metrics and charts."""
    at = new_app()
    assert not at.exception, at.exception
    assert heading(at).startswith("Recommendation: ")
    assert metric(at, "Static share of input") == "96%"
    assert metric(at, "Requests per month") == "30,438"  # 1,000 a day × 30.4375
    assert not at.error


def test_volume_changes_metrics_and_across_break_even_the_recommendation() -> None:
    """2,000 a day: the logged prompt is kept (moving early saves less than the floor); 200,000 a day: moving it to
    gpt-6-luna before the shutdown pays."""
    at = new_app()
    at.select_slider(key="requests_per_day").set_value(2_000).run()
    assert not at.exception
    low = (metric(at, "Requests per month"), heading(at), metric(at, "Logged setup per month"))
    at.select_slider(key="requests_per_day").set_value(200_000).run()
    high = (metric(at, "Requests per month"), heading(at), metric(at, "Logged setup per month"))
    assert low[0] == "60,875" and high[0] == "6,087,500"
    assert low[2] != high[2]
    assert "Fine-tune" not in low[1]
    assert high[1] != low[1] and "gpt-6-luna now" in high[1]


def test_scenario_is_in_the_url() -> None:
    at = new_app()
    at.select_slider(key="requests_per_day").set_value(50_000).run()
    at.slider(key="horizon").set_value(24).run()
    assert at.query_params["requests_per_day"] == ["50000"] or at.query_params["requests_per_day"] == "50000"
    assert "24" in str(at.query_params["horizon"])


@pytest.mark.parametrize(
    ("params", "slider", "value"),
    [({"horizon": "120"}, "horizon", 60), ({"growth": "80"}, "growth", 50), ({"rag_k": "-3"}, "rag_k", 0),
     ({"horizon": "abc"}, "horizon", 12)],
)
def test_out_of_range_url_values_are_clamped(params: dict[str, str], slider: str, value: int) -> None:
    """A hand-edited or stale link never crashes the page: values are clamped to the control's range."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    assert at.slider(key=slider).value == value


def test_shared_link_with_a_custom_hit_rate() -> None:
    at = new_app()
    at.checkbox(key="hit_rate_measured").set_value(False).run()
    at.slider(key="hit_rate_slider").set_value(55).run()
    assert not at.exception
    link = dict(at.query_params)
    again = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in link.items():
        again.query_params[k] = v[0] if isinstance(v, list) else v
    again.run()
    assert not again.exception, again.exception


def test_url_sets_the_scenario() -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["requests_per_day"] = "20000"
    at.query_params["horizon"] = "6"
    at.run()
    assert not at.exception
    assert metric(at, "Requests per month") == "608,750"
    assert at.slider(key="horizon").value == 6


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.jsonl", b'{"messages": [{"role": "user"', "the line ends before the JSON does"),
        ("empty.jsonl", b"", "the input is empty"),
        ("bad.jsonl.gz", gzip.compress(b'{"messages": [{"role": "user", "content": "hi"}]}\n')[:20],
         "gzip stream is truncated"),
        ("list.jsonl", b"[1, 2]\n", "must be a JSON object"),
    ],
)
def test_malformed_upload_shows_the_cli_message(name: str, content: bytes, message: str) -> None:
    """A bad upload gets the CLI's clear message in the page, naming the file, and the page keeps working."""
    at = new_app()
    at.selectbox(key="sample").set_value("Upload my own logs").run()
    at.file_uploader(key="upload").set_value((name, content, "application/octet-stream")).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(message in e for e in errors), errors
    assert all("/tmp" not in e for e in errors)  # the user's file name, not our temporary path
    at.selectbox(key="sample").set_value("Support bot (400 chat requests, gpt-4o-mini)").run()
    assert not at.exception and not at.error


def test_good_upload(tmp_path: Path) -> None:
    lines = [{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": f"q{i}"},
                           {"role": "assistant", "content": f"a{i}"}]} for i in range(30)]
    data = "\n".join(json.dumps(x) for x in lines).encode()
    at = new_app()
    at.selectbox(key="sample").set_value("Upload my own logs").run()
    at.file_uploader(key="upload").set_value(("mine.jsonl", data, "application/jsonl")).run()
    assert not at.exception and not at.error
    assert heading(at).startswith("Recommendation")


def test_caching_toggle_and_bad_price_file() -> None:
    at = new_app()
    at.toggle(key="caching").set_value(False).run()
    assert not at.exception
    at.file_uploader(key="pricing").set_value(("prices.toml", b"[[offer]]\nid = 'x'\n", "text/plain")).run()
    assert not at.exception
    assert any("Price overrides ignored" in e.value and "prices.toml" in e.value for e in at.error)  # its own name


def test_no_stray_text_on_the_page() -> None:
    """Streamlit prints bare string literals ("magic"): the page shows only what the app means to show."""
    at = new_app()
    assert all("clamped" not in m.value and "Formula" not in m.value for m in at.markdown)


def test_oversized_record_upload_is_explained() -> None:
    """A single 33 MB line gets the CLI's line-limit message in the page; the page keeps working."""
    big = b'{"messages": [{"role": "user", "content": "' + b"a" * (33 * 1024 * 1024) + b'"}]}\n'
    at = new_app()
    at.selectbox(key="sample").set_value("Upload my own logs").run()
    at.file_uploader(key="upload").set_value(("huge.jsonl", big, "application/octet-stream")).run()
    assert not at.exception
    assert any("over the 32 MiB limit for one record" in e.value and "huge.jsonl:1" in e.value for e in at.error)


def test_the_page_leads_with_the_shutdown_and_the_plan_and_takes_the_cost_of_change() -> None:
    at = new_app()
    assert any("shuts down on 2027-01-14" in w.value for w in at.warning)  # the logged model's end date, first
    plan = " ".join(m.value for m in at.markdown)
    assert "Now: keep the logged prompt and move it to gpt-6-luna" in plan
    assert at.number_input(key="migration_hours").value == 8 and at.slider(key="min_saving_share").value == 5
    at.number_input(key="migration_hours").set_value(40).run()  # (40 + 8) h × $100 = $4,800 in the notice
    assert not at.exception and any("4,800)" in w.value for w in at.warning)  # "\$" escaped in the page
    at.file_uploader(key="quality").set_value(("q.csv", b"strategy,pass_rate,n\nas_logged,0.9,100\n", "text/csv")).run()
    assert not at.exception and not at.error


def strategy_rows(at: AppTest) -> list[str]:
    return [str(x) for df in at.dataframe for x in df.value.iloc[:, 0]]


def test_other_models_rag_share_and_the_logs_traffic_are_controls() -> None:
    """The CLI's --consider-model, --rag-replaced-share and --logs-requests-per-day, on the page."""
    at = new_app()
    assert not any("gemini-3.5-flash-lite" in r for r in strategy_rows(at))
    at.multiselect(key="consider_models").set_value(["gemini-3.5-flash-lite", "no-such-model"]).run()
    assert not at.exception
    assert "Switch to gemini-3.5-flash-lite now, same prompt" in strategy_rows(at)
    assert any("no-such-model not priced" in str(c.value) for c in at.caption)  # said, not a crash
    rag = [r for r in strategy_rows(at) if r.startswith("RAG")]
    at.slider(key="rag_replaced").set_value(0).run()
    assert [r for r in strategy_rows(at) if r.startswith("RAG")] != rag  # the label says what it replaces
    at.number_input(key="logs_requests_per_day").set_value(200).run()
    assert not at.exception
    sources = [str(x) for df in at.dataframe if "source" in df.value.columns for x in df.value["source"]]
    assert any("they were captured at" in x for x in sources), sources


def test_a_sampled_log_says_so_with_its_intervals() -> None:
    """Sample lines > 0: the page says every figure is an estimate, gives the intervals, and marks the metrics."""
    at = new_app()
    at.number_input(key="sample_lines").set_value(100).run()
    assert not at.exception
    info = " ".join(i.value for i in at.info)
    assert "Sampled: 100 lines" in info and "95%" in info and "Not estimated" in info
    assert any(m.label == "Static share of input (sampled)" for m in at.metric)
    at.number_input(key="sample_lines").set_value(0).run()
    assert not any("Sampled:" in i.value for i in at.info)
    assert metric(at, "Static share of input") == "96%"
