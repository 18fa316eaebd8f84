"""The page as a person sees it: `streamlit run app.py` on localhost, driven by headless Chromium (Playwright)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import stop

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]
ARTIFACTS = ROOT / "tests" / "artifacts"

playwright_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: .ci/run must install Debian's chromium", pytrace=False)
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A real `streamlit run app.py` on a loopback port, stopped after the tests."""
    port = _free_port()
    log = (ARTIFACTS / "streamlit.log")
    ARTIFACTS.mkdir(exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"streamlit did not start: {log.read_text()[-2000:]}") from None
                    time.sleep(0.3)
            yield url
        finally:
            stop(proc)


def test_page_shows_recommendation_and_break_even_chart(server: str) -> None:
    """Pick the bundled sample, move to 20,000 a day; the recommendation and the cost-curve chart are visible."""
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1600})
            page.goto(f"{server}/?requests_per_day=20000", wait_until="domcontentloaded")
            page.get_by_text("Recommendation:", exact=False).first.wait_for(timeout=60_000)
            # pick the sample explicitly through the select box
            page.locator(".st-key-sample").click()
            page.get_by_role("option", name="Support bot (400 chat requests, gpt-4o-mini)").click()
            recommendation = page.locator(".st-key-recommendation")
            recommendation.get_by_text("Recommendation:", exact=False).wait_for(timeout=60_000)
            recommendation.get_by_text("Monthly savings").wait_for(timeout=60_000)
            assert recommendation.is_visible()
            assert "Requests per month" in recommendation.inner_text()
            chart = page.locator('[data-testid="stVegaLiteChart"]').first
            chart.wait_for(state="visible", timeout=60_000)
            chart.locator("canvas, svg").first.wait_for(state="visible", timeout=60_000)
            box = chart.bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 200
            page.wait_for_timeout(1500)  # let Vega finish drawing before the screenshot
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "app.png"), full_page=True)
        finally:
            browser.close()
    assert (ARTIFACTS / "app.png").stat().st_size > 10_000


HOSTILE = "[Re-login](http://evil.example/x) ![p](http://evil.example/u.png) <img src=x onerror=alert(1)> " \
          "<script>alert(1)</script> $\\frac{1}{0}$ www.evil.example"


def _hostile_log(tmp: Path) -> Path:
    """A log whose model name, roles and a Batch error message carry Markdown, HTML and LaTeX."""
    import json

    ok = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}
    lines = [
        ok, ok, ok,  # the most frequent model is priced, so the page goes on to show the rest
        {"model": HOSTILE, "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]},
        {"model": HOSTILE, "messages": [{"role": HOSTILE, "content": "hi"}]},
        {"custom_id": "a", "response": None, "error": {"message": HOSTILE}},
    ]
    path = tmp / "hostile [x](javascript:alert(1)) <b>x.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def test_no_log_or_url_text_becomes_live(server: str, tmp_path: Path) -> None:
    """Markdown, HTML and LaTeX in every query parameter and in an uploaded log's model name, role and error
    message show as text: no link, image, script or formula appears, and no request leaves for another host."""
    from urllib.parse import quote, urlsplit

    params = "&".join(f"{k}={quote(HOSTILE)}" for k in ("model", "sample", "growth", "horizon", "rag_k", "hit_rate",
                                                        "caching", "batch", "requests_per_day", "labour"))
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1600})
            elsewhere: list[str] = []
            page.on("request", lambda r: elsewhere.append(r.url) if urlsplit(r.url).hostname not in (
                "127.0.0.1", "localhost", None) and not r.url.startswith(("data:", "blob:")) else None)
            page.goto(f"{server}/?{params}", wait_until="domcontentloaded")
            page.locator('[data-testid="stAlert"], [data-testid="stAlertContainer"]').first.wait_for(timeout=60_000)
            page.wait_for_timeout(1500)
            _assert_inert(page)
            # now, in a fresh view, an uploaded log with the same text in its model name, a role and an error message
            page = browser.new_page(viewport={"width": 1440, "height": 1600})
            page.on("request", lambda r: elsewhere.append(r.url) if urlsplit(r.url).hostname not in (
                "127.0.0.1", "localhost", None) and not r.url.startswith(("data:", "blob:")) else None)
            page.goto(f"{server}/?sample={quote('Upload my own logs')}", wait_until="domcontentloaded")
            page.locator('.st-key-upload [data-testid="stFileUploaderDropzoneInput"]').set_input_files(
                str(_hostile_log(tmp_path)))
            try:
                page.get_by_text("Skipped", exact=False).first.wait_for(timeout=60_000)
            finally:
                page.screenshot(path=str(ARTIFACTS / "hostile.png"), full_page=True)
            page.wait_for_timeout(1500)
            _assert_inert(page)
            text = page.inner_text("body").replace("\u200b", "")  # the zero-width space that breaks autolinks
            assert "[Re-login](http://evil.example/x)" in text  # shown as the text it is
            assert "/tmp/" not in text  # the upload is named by its own name, never a server path
            page.screenshot(path=str(ARTIFACTS / "hostile.png"), full_page=True)
        finally:
            browser.close()
    assert not elsewhere, elsewhere


def _assert_inert(page: object) -> None:
    main = page.locator("section.main, [data-testid='stMain'], [data-testid='stAppViewContainer']").first  # type: ignore[attr-defined]
    links = [a.get_attribute("href") or "" for a in main.locator("a").all()]
    assert not [h for h in links if "evil" in h or h.startswith("javascript")], links
    assert not main.locator("img[src*='evil'], img[src='x']").count()
    assert not main.locator("script:not([src])").filter(has_text="alert").count()
    assert not main.locator(".katex").count()  # no formula rendered from data
