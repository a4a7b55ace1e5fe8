"""In a real browser: an example notebook served by Voilà, driven in headless Chromium through Playwright.

Voilà runs ``examples/02_recurrent_neuron_and_unrolling.ipynb`` in a real kernel; the
test waits until every widget of the notebook is drawn, moves the recurrent-neuron
playground's w_h slider with the keyboard, and checks that the kernel sent a new PNG
(a new blob: URL *and* different pixels), with no error on the page or from the kernel.

Needs voila, playwright (the Python package; no browser download: Debian's chromium,
or the one RNNVIZ_CHROMIUM names), ipywidgets, ipykernel; ``scripts/setup.sh --browser``
installs them all. Slow (~30 s): run with ``pytest --runslow tests/test_browser.py``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

for _module in ("voila", "ipywidgets", "ipykernel"):  # find_spec, not import: importing voila costs ~3 s
    if importlib.util.find_spec(_module) is None:
        pytest.skip(f"{_module} is not installed (scripts/setup.sh installs it)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("RNNVIZ_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
START_TIMEOUT = 60  # s: Voilà up and listening
RENDER_TIMEOUT = 180_000  # ms: page loaded, kernel started, notebook run (TensorFlow imported), widgets drawn
UPDATE_TIMEOUT = 30_000  # ms: a slider move round-trips through the kernel

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "02_recurrent_neuron_and_unrolling.ipynb"
WIDGETS = 3  # the example's explorers: the playground (first on the page), two time-step explorers

IMAGE = "img.widget-image"
ERROR_MARKERS = ("Traceback", "Error", "There was an error when executing cell")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    """Voilà serving a copy of the example on a free local port; yields (url, log path); always stopped afterwards."""
    folder = tmp_path_factory.mktemp("voila")
    shutil.copy(EXAMPLE, folder / EXAMPLE.name)
    log = folder / "voila.log"
    port = _free_port()
    env = {**os.environ, "MPLBACKEND": "Agg", "JUPYTER_RUNTIME_DIR": str(folder / "runtime"),
           "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [sys.executable, "-m", "voila", EXAMPLE.name, "--no-browser", f"--port={port}",
               "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", "--show_tracebacks=True"]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # its own process group: its kernels die with it
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _listening(port):
            if process.poll() is not None:
                pytest.fail(f"voila exited with {process.returncode}:\n{log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"voila not listening on {port} after {START_TIMEOUT} s:\n{log.read_text()}")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/", log
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # Voilà shuts its kernels down on SIGTERM
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM or not Path(CHROMIUM).exists():
        pytest.skip("no Chromium (set RNNVIZ_CHROMIUM)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def _image_state(page) -> tuple[str, str]:
    """The <img>'s src and a hash of its decoded pixels (drawn on a canvas at natural size)."""
    src, digest = page.evaluate("""async (selector) => {
        const img = document.querySelector(selector);
        await img.decode();
        const canvas = document.createElement("canvas");
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        const context = canvas.getContext("2d");
        context.drawImage(img, 0, 0);
        const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
        const hash = await crypto.subtle.digest("SHA-256", pixels);
        return [img.src, Array.from(new Uint8Array(hash), b => b.toString(16).padStart(2, "0")).join("")];
    }""", IMAGE)
    return src, digest


def _wait_until_settled(page, quiet_ms: int = 1000) -> None:
    """Wait until the <img> is loaded and its src has not changed for ``quiet_ms``."""
    page.wait_for_function("""([selector, quiet]) => {
        const img = document.querySelector(selector);
        if (!img || !img.complete || !img.naturalWidth) return false;
        const now = performance.now(), seen = window.__imageSeen;
        if (!seen || seen.src !== img.src) { window.__imageSeen = {src: img.src, since: now}; return false; }
        return now - seen.since >= quiet;
    }""", arg=[IMAGE, quiet_ms], polling=100, timeout=UPDATE_TIMEOUT)


def _kernel_errors(payload, found: list) -> None:
    """Collect kernel errors from one websocket frame: an iopub "error" message (an exception in a widget
    callback goes only there, not to Voilà's log) or a stderr stream with a traceback."""
    text = payload if isinstance(payload, str) else payload.decode("utf-8", "replace")  # JSON or v1 binary frame
    kind = re.search(r'"msg_type":\s*"(\w+)"', text)  # the first one is the message's own header
    if kind and kind.group(1) == "error":
        found.append("kernel error: " + " ".join(re.findall(r'"e(?:name|value)":\s*"((?:[^"\\]|\\.)*)"', text)))
    elif kind and kind.group(1) == "stream" and '"stderr"' in text and any(m in text for m in ERROR_MARKERS):
        found.append("kernel stderr: " + text[text.find('"text"'):][:500])


def _page_errors(page) -> list[str]:
    """Error outputs Voilà rendered (tracebacks or its "There was an error" notice) and the status line's error."""
    texts = page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts()
    errors = [text for text in texts if any(marker in text for marker in ERROR_MARKERS)]
    status = page.locator(".widget-vbox > .widget-html").all_inner_texts()
    return errors + [f"status line: {text}" for text in status if text.strip()]


def test_example_notebook_runs_and_a_slider_redraws_its_widget(voila, browser):
    url, log = voila
    started = time.monotonic()
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    js_errors = []
    page.on("pageerror", lambda error: js_errors.append(str(error)))
    kernel_errors = []
    page.on("websocket", lambda socket: socket.on("framereceived",
                                                  lambda payload: _kernel_errors(payload, kernel_errors)))
    # Offline and fast: only the local server (Voilà's template asks jsdelivr for Font Awesome).
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url) or
               route.request.url.startswith(("blob:", "data:")) else route.abort())
    try:
        page.goto(url, wait_until="domcontentloaded", timeout=RENDER_TIMEOUT)
        try:  # every widget's figure, or an error output (Voilà stops running the notebook at the first error)
            page.wait_for_function("""([selector, count, markers]) => {
                const images = [...document.querySelectorAll(selector)];
                if (images.length >= count && images.every(img => img.offsetWidth > 0)) return true;
                return [...document.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')]
                    .some(output => markers.some(marker => output.innerText.includes(marker)));
            }""", arg=[IMAGE, WIDGETS, list(ERROR_MARKERS)], polling=200, timeout=RENDER_TIMEOUT)
        except sync_api.TimeoutError:
            pytest.fail(f"not all {WIDGETS} widget images after {RENDER_TIMEOUT / 1000} s; JS errors: {js_errors}\n"
                        f"{log.read_text()}")
        assert _page_errors(page) == [], log.read_text()
        assert kernel_errors == []
        # The browser's slider echoes w_h back as 0.8999999999999999 right after the first render, which
        # makes the kernel draw again (~0.1 s later): take the "before" image only once it has settled.
        _wait_until_settled(page)
        rendered = time.monotonic() - started
        before_src, before_pixels = _image_state(page)
        assert before_src.startswith("blob:")
        assert page.locator(".widget-vbox > .widget-html").count() == WIDGETS  # their status lines are found
        assert _page_errors(page) == []

        slider = page.locator(".widget-slider", has=page.locator("label.widget-label", has_text=re.compile(r"^w_h$")))
        assert slider.count() == 1
        handle = slider.locator("[role=slider]")
        assert handle.get_attribute("aria-valuenow") == "0.9"
        handle.focus()
        for _ in range(4):
            handle.press("ArrowRight")  # one step (0.05) each
        assert slider.locator(".widget-readout").inner_text() == "1.10"

        page.wait_for_function("([s, old]) => { const i = document.querySelector(s); "
                               "return i.src !== old && i.complete && i.naturalWidth > 0 }",
                               arg=[IMAGE, before_src], timeout=UPDATE_TIMEOUT)
        _wait_until_settled(page)  # several keypresses may send several PNGs: compare the last one
        after_src, after_pixels = _image_state(page)
        assert after_src != before_src
        assert after_pixels != before_pixels, "the image was replaced by identical pixels"
        assert _page_errors(page) == []
        assert js_errors == []
        assert kernel_errors == []
        kernel_log = log.read_text()
        assert "Traceback" not in kernel_log, kernel_log
        print(f"rendered after {rendered:.1f} s; whole test {time.monotonic() - started:.1f} s; "
              f"pixels {before_pixels[:12]} -> {after_pixels[:12]}")
    finally:
        page.close()
