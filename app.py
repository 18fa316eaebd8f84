"""fineadvisor's page: drop in request logs (or pick a sample), move the volume, watch the cost curves cross.

A thin script over `fineadvisor.analyze_logs` and `fineadvisor.advise.estimate`: logs are profiled once (cached
here, not in the package); every control change only re-prices, which takes milliseconds. The scenario
lives in the URL, so a view can be shared.

Run: streamlit run app.py
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import streamlit as st

from fineadvisor import Catalog, FineAdvisorError, LogAnalysis, Scenario, analyze_logs, estimate, load_catalog
from fineadvisor.advise.scenario import DAYS_PER_MONTH, DEFAULT_HIT_RATE, DEFAULT_REQUESTS_PER_DAY
from fineadvisor.formatting import count, money_compact, months, percent, tokens_compact
from fineadvisor.measure.logs import MemoryLog
from fineadvisor.measure.quality import read_quality_bytes
from fineadvisor.present import charts
from fineadvisor.present.escape import markdown as esc
from fineadvisor.present.report import estimate_to_dict, estimate_to_markdown, package_version
from fineadvisor.present.report import sample_lines as sample_lines_of

ROOT = Path(__file__).resolve().parent
SAMPLES = {
    "Support bot (400 chat requests, gpt-4o-mini)": ROOT / "examples" / "support_bot.jsonl",
    "Ticket classification (Batch API, gpt-4.1-mini)": ROOT / "examples" / "classify_batch_input.jsonl",
    "IT-helpdesk agent (Anthropic, tools)": ROOT / "examples" / "agent_anthropic.jsonl",
}
BATCH_OUTPUT = ROOT / "examples" / "classify_batch_output.jsonl"
UPLOAD = "Upload my own logs"
MAX_UPLOAD_MB = 200
MAX_UPLOAD_DECOMPRESSED_BYTES = 2 * 1024**3  # an upload (.gz included) may hold at most 2 GiB of log text
MAX_PRICE_UPLOAD_BYTES = 1024 * 1024
VOLUMES = [100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000,
           2_000_000, 5_000_000]

st.set_page_config(page_title="fineadvisor", page_icon="💸", layout="wide")


# ---------------------------------------------------------------- cached measurement (the slow part)

@st.cache_data(show_spinner="Counting tokens…", max_entries=8)
def profile_sample(paths: tuple[str, ...], model: str | None, sample: int = 0) -> LogAnalysis:
    """Profile bundled logs once per model (and sample size: 0 counts every line)."""
    return analyze_logs(list(paths), model=model, sample=sample or None)


@st.cache_data(show_spinner="Counting tokens…", max_entries=4)
def profile_upload(file_id: str, name: str, _data: bytes, model: str | None, sample: int = 0) -> LogAnalysis:
    """Profile an uploaded file once (keyed by its upload id, not its bytes), in memory: no copy on disk, and
    every message names the file by its own name."""
    return analyze_logs([MemoryLog(name, _data)], model=model, max_bytes=MAX_UPLOAD_DECOMPRESSED_BYTES,
                        sample=sample or None)


@st.cache_resource(show_spinner=False)
def base_catalog() -> Catalog:
    return load_catalog()


def catalog_with(override: bytes | None, name: str = "your price file") -> Catalog:
    """The bundled catalog, or the bundled one plus an uploaded TOML price file (read in memory)."""
    if not override:
        return base_catalog()
    return load_catalog(uploaded=[(name, override)])


# ---------------------------------------------------------------- the scenario lives in the URL

QP = st.query_params
_S = Scenario()  # the single source of every default the controls start from
DEFAULTS: dict[str, object] = {
    "sample": next(iter(SAMPLES)), "requests_per_day": DEFAULT_REQUESTS_PER_DAY,
    "growth": int(_S.growth_per_month * 100), "horizon": _S.horizon_months, "caching": _S.prompt_caching,
    "hit_rate": None, "rag_k": _S.rag_chunks, "rag_chunk": _S.rag_chunk_tokens, "rag_corpus": _S.rag_corpus_tokens,
    "labour": int(_S.labour_usd_per_hour), "batch": bool(_S.batch), "knowledge": _S.knowledge_changes, "model": ""}
DEFAULT_HIT_PERCENT = int(DEFAULT_HIT_RATE * 100)
# Each numeric control's range: values from a URL are clamped into it, never passed to a widget out of range.
# (A bare string here would be printed on the page by Streamlit's "magic".)
RANGES = {"growth": (-10, 50), "horizon": (1, 60), "hit_rate": (0, 100), "rag_k": (0, 20), "rag_chunk": (50, 4096),
          "rag_corpus": (0, 10_000_000_000), "labour": (0, 1_000)}


def _from_url(key: str) -> object:
    default = DEFAULTS[key]
    raw = QP.get(key)
    if raw is None:
        return default
    if isinstance(default, bool):
        return raw in ("1", "true", "yes")
    if isinstance(default, int) or key in RANGES:
        try:
            value = int(float(raw))
        except ValueError:
            return default
        lo, hi = RANGES.get(key, (0, 10**12))
        return min(max(value, lo), hi)
    return raw


for key in DEFAULTS:
    if key not in st.session_state:
        value = _from_url(key)
        if key == "requests_per_day" and value not in VOLUMES:
            wanted = int(str(value))
            value = min(VOLUMES, key=lambda v: abs(v - wanted))
        if key == "sample" and value not in [*SAMPLES, UPLOAD]:
            value = DEFAULTS["sample"]
        st.session_state[key] = value


# ---------------------------------------------------------------- sidebar

with st.sidebar:
    st.header("Your logs")
    source = st.selectbox("Logs", [*SAMPLES, UPLOAD], key="sample")
    upload = st.file_uploader("A log: JSON Lines, a JSON export, CSV or Parquet (.gz / .zst too)",
                              type=["jsonl", "json", "ndjson", "gz", "zst", "csv", "tsv", "parquet"], key="upload",
                              disabled=source != UPLOAD, max_upload_size=MAX_UPLOAD_MB)
    model = st.text_input("Model of the logged setup", key="model", placeholder="from the logs",
                          help="Counts and prices every request as this model.").strip() or None
    sample_lines = int(st.number_input(
        "Sample lines (0: count every line)", min_value=0, max_value=1_000_000, value=0, step=500, key="sample_lines",
        help="Count only this many lines, drawn at random (seed 0): faster on a large log, and every figure then "
             "comes with its 95% interval."))

    st.header("Volume")
    per_day = st.select_slider("Requests per day", VOLUMES, key="requests_per_day",
                               format_func=lambda v: f"{v:,}")
    growth = st.slider("Monthly growth (%)", -10, 50, key="growth")
    horizon = st.slider("Horizon (months)", 1, 60, key="horizon")
    batch = st.checkbox("Latency allows the Batch API (24 h)", key="batch")

    output_override = st.number_input(
        "Output tokens per request", min_value=0, max_value=1_000_000, value=None, step=10, key="output_tokens",
        placeholder="from the logs", help="Set it when the logs hold no outputs (e.g. Batch API input alone).")

    st.header("Strategies")
    caching = st.toggle("Consider prompt caching", key="caching")
    saved_rate = st.session_state.get("hit_rate")
    hit_rate = st.slider("Cache hit rate (%)", 0, 100, value=int(saved_rate) if saved_rate is not None else DEFAULT_HIT_PERCENT,
                         key="hit_rate_slider", disabled=not caching,
                         help=f"Default {percent(DEFAULT_HIT_RATE)}; the logs' measured rate is used until you move this.")
    use_measured = st.checkbox("Use the hit rate measured in the logs", value=st.session_state["hit_rate"] is None,
                               key="hit_rate_measured", disabled=not caching)
    logs_per_day = st.number_input(
        "Requests per day when the logs were captured", min_value=1, max_value=10**9, value=None, step=100,
        key="logs_requests_per_day", placeholder="unknown", disabled=not caching or not use_measured,
        help="With it, the logs' hit rate follows your volume by the arrival model, 1 − (1 − m)^(λ'/λ), up as well "
             "as down; unknown: the logs' rate, capped by what your traffic allows.")
    with st.expander("RAG"):
        rag_k = st.slider("Chunks retrieved (k)", 0, 20, key="rag_k")
        rag_chunk = st.number_input("Tokens per chunk", 50, 4096, step=50, key="rag_chunk")
        rag_corpus = st.number_input("Knowledge base (tokens)", 0, 10_000_000_000, step=100_000, key="rag_corpus")
        rag_replaced = st.slider("Share of the system prompt moved into the corpus (%)", 0, 100,
                                 value=int(_S.rag_replaced_share * 100), key="rag_replaced",
                                 help="Retrieval replaces the few-shot examples and this share of the rest of the "
                                      "static prompt.")
        knowledge = st.checkbox("Facts change often", key="knowledge")
    catalog_error = None
    with st.expander("Fine-tuning and labour"):
        labour = st.number_input("Engineering hour (USD)", 0, 1_000, step=10, key="labour")
        price_file = st.file_uploader("Price overrides (.toml)", type=["toml"], key="pricing",
                                      help="Same format as pricing/ — rows replace or add to the bundled ones.")
        try:
            catalog = catalog_with(price_file.getvalue() if price_file else None,
                                   price_file.name if price_file else "your price file")
        except FineAdvisorError as exc:
            catalog, catalog_error = base_catalog(), str(exc)
        except Exception as exc:  # a price file that breaks the reader in a way no check foresaw
            catalog, catalog_error = base_catalog(), f"it could not be read ({type(exc).__name__})"
        open_offers = sorted(catalog.offers)
        offers = st.multiselect("Fine-tuning offers to compare", open_offers, key="offers",
                                placeholder="all offers open for new jobs")
    with st.expander("Other models"):
        lineup = [m for provider in ("openai", "anthropic", "google") for m in catalog.current_models(provider)]
        consider = st.multiselect("Also price the logged prompt, as is, on", lineup, key="consider_models",
                                  accept_new_options=True, placeholder="a model id (any genai-prices knows)",
                                  help="The logged model's successor and up to two cheaper models of its vendor's "
                                       "current line-up are priced anyway.")
    with st.expander("Cost of change and quality"):
        migration_h = st.number_input("Migration hours when the model shuts down", 0, 1_000,
                                      value=int(_S.migration_hours), step=1, key="migration_hours")
        eval_h = st.number_input("Evaluation hours per change", 0, 1_000, value=int(_S.eval_hours), step=1,
                                 key="eval_hours")
        floor_usd = st.number_input("A change of behaviour must save at least (USD over the horizon)", 0, 10**7,
                                    value=int(_S.min_saving_usd), step=100, key="min_saving_usd")
        floor_share = st.slider("Any change must save at least (% of the logged cost)", 0, 50,
                                value=int(_S.min_saving_share * 100), key="min_saving_share")
        quality_file = st.file_uploader("Pass rates you measured (CSV, JSON or promptfoo results.json)",
                                        type=["csv", "json"], key="quality",
                                        help="Per strategy or model: pass_rate and n; adds the cost per successful "
                                             "answer.")
        min_quality = st.slider("Exclude strategies whose pass rate is below (%)", 0, 100, value=0,
                                key="min_quality", disabled=quality_file is None)

# keep the URL in step with the controls (shareable view)
QP.update({"sample": source, "requests_per_day": str(per_day), "growth": str(growth), "horizon": str(horizon),
           "caching": str(caching).lower(), "rag_k": str(rag_k), "rag_chunk": str(rag_chunk),
           "rag_corpus": str(rag_corpus), "labour": str(labour), "batch": str(batch).lower(),
           "knowledge": str(knowledge).lower()})
if model:
    QP["model"] = model
if caching and not use_measured:
    QP["hit_rate"] = str(hit_rate)

# ---------------------------------------------------------------- main area

st.title("fineadvisor")
st.caption("Keep prompting, cache, add retrieval or fine-tune? Measured from your logs, priced from sourced, "
           "dated prices, with break-even points and the reasons.")
if catalog_error:
    st.error(f"Price overrides ignored: {esc(catalog_error)}")

analysis: LogAnalysis | None = None
try:
    if source == UPLOAD:
        if upload is None:
            st.info("Upload a request log (JSON Lines, a JSON export, CSV or Parquet; .gz and .zst too), or pick a "
                    "bundled sample on the left.")
            st.stop()
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            st.error(f"{esc(upload.name)} is {upload.size / 2**20:.0f} MiB, over the {MAX_UPLOAD_MB} MiB upload limit; "
                     "run `fineadvisor estimate` on it from the command line instead.")
            st.stop()
        analysis = profile_upload(upload.file_id, upload.name, upload.getvalue(), model, sample_lines)
    else:
        paths = [str(SAMPLES[source])]
        if SAMPLES[source].name == "classify_batch_input.jsonl":
            paths.append(str(BATCH_OUTPUT))
        analysis = profile_sample(tuple(paths), model, sample_lines)
except FineAdvisorError as exc:
    st.error(esc(exc))
    st.stop()
except Exception as exc:  # never a traceback or a server path in the page
    st.error(f"Something unexpected went wrong ({esc(type(exc).__name__)}). Please report it to the fineadvisor "
             f"maintainers with fineadvisor's version ({esc(package_version())}) and the log or the link of this page.")
    st.stop()

assert analysis is not None
scenario = Scenario.per_day(
    per_day, growth_per_month=Decimal(growth) / 100, horizon_months=horizon, batch=batch, model=model,
    prompt_caching=caching, cache_hit_rate=None if use_measured else Decimal(hit_rate) / 100,
    rag_chunks=rag_k, rag_chunk_tokens=int(rag_chunk), rag_corpus_tokens=int(rag_corpus),
    rag_replaced_share=Decimal(rag_replaced) / 100, consider_models=tuple(m.strip() for m in consider if m.strip()),
    logs_requests_per_month=(Decimal(int(logs_per_day)) * DAYS_PER_MONTH if logs_per_day is not None and use_measured
                             else None),
    labour_usd_per_hour=Decimal(int(labour)), knowledge_changes=knowledge, fine_tune_offers=tuple(offers),
    output_tokens=None if output_override is None else int(output_override),
    migration_hours=Decimal(int(migration_h)), eval_hours=Decimal(int(eval_h)), min_saving_usd=Decimal(int(floor_usd)),
    min_saving_share=Decimal(floor_share) / 100,
    min_quality=Decimal(min_quality) / 100 if quality_file is not None and min_quality else None)
quality = None
if quality_file is not None:
    try:
        quality = read_quality_bytes(quality_file.name, quality_file.getvalue())
    except FineAdvisorError as exc:
        st.error(f"Pass rates ignored: {esc(exc)}")
try:
    e = estimate(analysis, scenario, catalog, volume_source=f"{per_day:,} requests a day (slider)", quality=quality)
except FineAdvisorError as exc:
    st.error(esc(exc))
    st.stop()
except Exception as exc:  # never a traceback or a server path in the page
    st.error(f"Something unexpected went wrong ({esc(type(exc).__name__)}). Please report it to the fineadvisor "
             f"maintainers with fineadvisor's version ({esc(package_version())}) and the log or the link of this page.")
    st.stop()

if analysis.sample is not None:  # every number below is an estimate: said first, with the intervals
    st.info("\n".join(f"{'- ' if line.startswith('  ') else ''}{esc(line.strip())}" for line in sample_lines_of(analysis)),
            icon="🎲")
if analysis.records_skipped:
    first = analysis.skipped_examples[0]
    st.warning(esc(f"Skipped {analysis.records_skipped:,} lines that are not valid records; the first: {first}"))

rec = e.recommendation
if e.lifecycle:  # said first: it changes every total
    st.warning(esc(e.lifecycle), icon="⏳")
if e.plan:  # the plan leads: now, test next, watch
    with st.container(border=True, key="plan"):
        st.markdown("**Plan**")
        stages = {"now": "Now", "test_next": "Test next", "watch": "Watch"}
        for step in e.plan:
            tail = "; ".join(step.reasons)
            st.markdown(esc(f"- {stages[step.stage]}: {step.action}" + (f" — {tail}" if tail else "")))
with st.container(border=True, key="recommendation"):
    if rec.strategy == rec.baseline:
        st.subheader("Recommendation: keep the logged setup")
    else:
        st.subheader(f"Recommendation: {esc(rec.label)}")
    cols = st.columns(4)
    cols[0].metric("Monthly savings", money_compact(rec.monthly_savings_usd),
                   help="Against the logged setup at the current volume, one-off costs excluded.")
    cols[1].metric(f"Savings over {months(horizon)}", money_compact(rec.horizon_savings_usd))
    cols[2].metric("Payback", "immediate" if rec.payback_months == 0 else
                   (f"month {rec.payback_months}" if rec.payback_months is not None else "—"),
                   help="The first month whose cumulative cost is at or below the logged setup's (Over time tab).")
    cols[3].metric("Requests per month", count(e.scenario.requests_per_month))
    st.markdown("\n".join(f"- {esc(r)}" for r in rec.reasons))
    closing = [r.cost for r in rec.ranking if r.cost.available_until is not None and not r.eligible]
    if closing:
        dates = sorted({f"{c.available_until:%Y-%m-%d}" for c in closing if c.available_until})
        st.warning(f"{len(closing)} fine-tuning offers shut down ({', '.join(dates)}) inside your "
                   f"{horizon}-month horizon, so they are not recommended; see why below.")
    if rec.warnings:
        with st.expander(f"Why the other options were ruled out ({len(rec.warnings)})"):
            st.markdown("\n".join(f"- {esc(w)}" for w in rec.warnings))

p = analysis.profile
m = st.columns(4)
sampled = " (sampled)" if analysis.sample is not None else ""
m[0].metric(f"Static share of input{sampled}", percent(p.static_share), help="Sent unchanged on every request.")
m[1].metric(f"Input per request{sampled}", tokens_compact(e.workload.input_tokens))
m[2].metric(f"Output per request{sampled}", tokens_compact(e.workload.output_tokens))
baseline = next(c for c in e.strategies if c.id == e.baseline)
m[3].metric(f"Logged setup per month{sampled}", money_compact(baseline.monthly_usd(e.scenario.requests_per_month)))

tabs = st.tabs(["Cost vs volume", "Over time", "Tokens", "What flips it", "Tables", "Downloads"])
with tabs[0]:
    st.altair_chart(charts.cost_curve_chart(charts.cost_curve_frame(e), charts.break_even_frame(e),
                                            float(e.scenario.requests_per_month)), width="stretch", height=460)
    st.caption(f"Average monthly cost over the {months(horizon)} at each starting volume: one-off costs and "
               "retraining included, as in the totals. Dots mark break-even volumes against the logged setup: "
               "where the totals are equal.")
    off_chart = charts.crossing_note(e)
    if off_chart:
        st.caption(esc(off_chart))
with tabs[1]:
    st.altair_chart(charts.cumulative_chart(charts.cumulative_frame(e)), width="stretch", height=400)
with tabs[2]:
    st.altair_chart(charts.token_breakdown_chart(charts.token_breakdown_frame(e)), width="stretch")
    st.altair_chart(charts.distribution_chart(charts.distribution_frame(e)), width="stretch")
with tabs[3]:
    st.dataframe(charts.sensitivity_frame(e), hide_index=True, width="stretch")
with tabs[4]:
    st.dataframe(charts.strategies_frame(e), hide_index=True, width="stretch")
    st.dataframe([{"name": a.name, "value": a.value, "source": a.source} for a in e.assumptions],
                 hide_index=True, width="stretch")
with tabs[5]:
    st.download_button("Markdown report", estimate_to_markdown(e), "fineadvisor-report.md", "text/markdown",
                       key="download_md")
    st.download_button("JSON", json.dumps(estimate_to_dict(e), indent=2, ensure_ascii=False),
                       "fineadvisor.json", "application/json", key="download_json")
    st.download_button("Cost curves (CSV)", charts.curves_csv(e), "fineadvisor-curves.csv", "text/csv",
                       key="download_csv")
for w in e.warnings:
    st.caption(f"Note: {esc(w)}")
