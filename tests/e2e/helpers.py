"""Browser-journey helpers: start ``streamlit run app.py``, drive Debian's Chromium, read what a person sees.

Everything here acts like a person: pages are reached through the sidebar navigation, widgets are found by
their visible (translated) labels, files are uploaded through the file chooser and downloads are saved and
opened. Labels come from the message catalogue (``core.i18n.t``) so a test works in both languages.

Waiting: Streamlit reruns the script after every interaction. :func:`wait_idle` waits until the run that the
interaction started has finished (``data-test-script-state="notRunning"`` on ``stApp``) and, optionally, until
the texts the person expects are visible. Never sleep.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from core import sessions
from core.i18n import t

REPO = Path(__file__).resolve().parents[2]
APP_DIR = Path(os.environ.get("E2E_APP_DIR") or REPO)   # the checkout whose app.py is served (default: this one)
ARTIFACTS = REPO / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
FAILURES = ARTIFACTS / "failures"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
VIEWPORT = {"width": 1400, "height": 900}
BIG_VIEWPORT = {"width": 1920, "height": 1080}
DEMO_END = dt.date(2026, 11, 20)     # last logged day of the demo bank the journeys run on (a Friday)
TIMEOUT = 60_000                      # ms: one script run on a busy 2-core machine stays well under this

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
CONNECTED = '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'

# Counts changes of the script-run state (notRunning → running → notRunning ...), so that wait_idle can tell
# whether the interaction it follows has started a run. Installed in every page before Streamlit loads.
RUN_COUNTER_JS = """
(() => {
  window.__e2eChanges = 0;
  window.__e2eSeen = 0;
  const obs = new MutationObserver(records => { window.__e2eChanges += records.length; });
  obs.observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
})();
"""


# ---------------------------------------------------------------- the server

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """``python -m streamlit run app.py`` on a free port against `db_url`, in its own process group."""

    def __init__(self, db_url: str, backend: str, log_path: Path, extra_env: dict | None = None):
        self.db_url = db_url
        self.backend = backend
        self.log_path = log_path
        self.extra_env = extra_env or {}
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self._log = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> "AppServer":
        env = dict(os.environ)
        env.update({"DATABASE_URL": self.db_url, "DASH_NO_DEMO": "1", "PYTHONUNBUFFERED": "1",
                    "DASH_ARGON2_FAST": "1"})
        env.pop("DASH_RAISE", None)   # the app as users get it: errors become a message, never a traceback
        env.update(self.extra_env)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        for attempt in range(3):     # a free port can be taken between choosing and binding it
            self.port = free_port()
            self._log = open(self.log_path, "ab")
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                 "--server.port", str(self.port), "--server.address", "127.0.0.1",
                 "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
                 "--server.runOnSave", "false"],
                cwd=str(APP_DIR), env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
            if self._wait_healthy(timeout):
                return self
            if attempt < 2 and "Port" in self.log_tail() and "is already in use" in self.log_tail():
                self.stop()
                continue
            break
        tail = self.log_tail()
        self.stop()
        raise RuntimeError(f"streamlit did not become healthy on port {self.port} within {timeout:.0f}s "
                           f"({self.backend}); server output:\n{tail}")

    def _wait_healthy(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        url = f"{self.base_url}/_stcore/health"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200 and r.read().decode().strip() == "ok":
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.2)   # a tiny poll while the server boots
        return False

    def log_tail(self, chars: int = 6000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=10)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None


# ---------------------------------------------------------------- waiting

def wait_idle(page, *expect: str, rerun: bool = True, timeout: int = TIMEOUT, within=None) -> None:
    """Wait until Streamlit has finished the run the last interaction started, then for `expect` texts.

    rerun=True first waits (at most 1.5 s) for the script-run state to change after the previous wait_idle, so
    the run an interaction starts is not mistaken for idleness; pass rerun=False when nothing was done since the
    last wait (waiting for more text) or the interaction does not rerun the script. Each text in `expect` must become visible (inside `within`, a locator, when given).
    """
    page.wait_for_selector(CONNECTED, state="attached", timeout=timeout)
    if rerun:
        try:
            page.wait_for_function("() => window.__e2eChanges > window.__e2eSeen", timeout=1_500)
        except Exception:   # the interaction did not start a run (or it finished before we looked)
            pass
    page.wait_for_selector(IDLE, state="attached", timeout=timeout)
    page.evaluate("() => { window.__e2eSeen = window.__e2eChanges; }")
    scope = within if within is not None else page
    crash = page.locator('[data-testid="stException"]')
    for text in expect:
        wanted = scope.get_by_text(text, exact=False).first
        wanted.or_(crash.first).first.wait_for(state="visible", timeout=timeout)
        if not wanted.is_visible() and crash.count():
            raise AssertionError(f"the app crashed while the test waited for {text!r}:\n"
                                 + crash.first.inner_text()[:4000])


def main_area(page):
    return page.locator('[data-testid="stMain"]')


def sidebar(page):
    return page.locator('[data-testid="stSidebar"]')


def main_text(page) -> str:
    return main_area(page).inner_text(timeout=TIMEOUT)


def assert_no_error(page, lang: str) -> None:
    """No traceback and no 'something went wrong' message on the page."""
    assert page.locator('[data-testid="stException"]').count() == 0, main_text(page)[:3000]
    unexpected = t("error.unexpected", lang, detail="").split("(")[0].split("(")[0].strip()
    text = main_text(page)
    assert unexpected not in text, text[:3000]


# ---------------------------------------------------------------- signing in and moving around

def open_app(page, server: AppServer, query: dict | None = None) -> None:
    q = "&".join(f"{k}={v}" for k, v in (query or {}).items())
    page.goto(server.base_url + "/" + (f"?{q}" if q else ""), wait_until="domcontentloaded")
    wait_idle(page)


def sign_in(page, server: AppServer, username: str, password: str, display_name: str, role: str,
            lang: str = "zh", query: dict | None = None) -> None:
    """Open the app, type the username and password into the sign-in form and submit it, like a person.

    `query` (URL parameters such as day=2026-11-23) is read by the app on the session's first run and kept
    through the sign-in. Returns when the sidebar says who is signed in.
    """
    q = dict(query or {})
    if lang != "zh":
        q["lang"] = lang
    open_app(page, server, q)
    form = page.locator('[data-testid="stForm"]')
    wait_idle(page, t("auth.signin_title", lang), rerun=False)
    form.get_by_label(t("auth.username", lang), exact=True).fill(username)
    form.get_by_label(t("auth.password", lang), exact=True).fill(password)
    form.get_by_role("button", name=t("auth.submit", lang)).click()
    wait_idle(page, t("app.signed_in_as", lang, name=display_name, role=t(f"role.{role}", lang)),
              within=sidebar(page))
    wait_session_cookie(page)


def wait_session_cookie(page, timeout: int = TIMEOUT) -> None:
    """Wait until the browser holds the session cookie. The signed-in page shows before the cookie lands: the
    cookie is set by a script in an st.html element, whose code Streamlit loads on demand (a separate chunk), so
    a page.goto / reload straight after the sidebar says "signed in" could open a session with no cookie yet
    (the sign-in form instead of the page asked for)."""
    page.wait_for_function("(name) => document.cookie.split('; ').some(c => c.startsWith(name + '=')"
                           " && c.length > name.length + 1)", arg=sessions.COOKIE_NAME, timeout=timeout)


def sign_out(page, lang: str = "zh") -> None:
    sidebar(page).get_by_role("button", name=t("app.sign_out", lang)).click()
    wait_idle(page, t("auth.signin_title", lang))


def goto_page(page, key: str, lang: str = "zh", *expect: str) -> None:
    """Click the page's entry in the sidebar navigation (same session, like a person)."""
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_role("link", name=re.compile(re.escape(t(key, lang)))).first.click()
    wait_idle(page, *expect)


def nav_titles(page) -> list[str]:
    """The page titles in the sidebar navigation, in order (without the icons' ligature names)."""
    texts = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    return [[line.strip() for line in s.splitlines() if line.strip()][-1] for s in texts]


def set_language(page, lang: str) -> None:
    """Pick 中文 / English in the sidebar's language switch."""
    label = "中文" if lang == "zh" else "English"
    sidebar(page).locator('[data-testid="stRadio"]').first.get_by_text(label, exact=True).click()
    wait_idle(page)


def current_lang(page) -> str:
    checked = sidebar(page).locator('[data-testid="stRadio"]').first.locator("input:checked")
    value = checked.evaluate("el => el.closest('label').innerText").strip()
    return "en" if value == "English" else "zh"


def select_option(page, label: str, option: str, within=None) -> None:
    """Choose `option` in the st.selectbox labelled `label`: open the combobox, type to filter (long lists are
    virtualised), click the option."""
    scope = within if within is not None else page
    box = scope.get_by_role("combobox", name=label, exact=True).first
    box.click()
    box.fill(option)
    page.get_by_role("option").filter(has_text=option).first.click()
    wait_idle(page)


def click_button(page, name: str, within=None, exact: bool = False) -> None:
    scope = within if within is not None else main_area(page)
    scope.get_by_role("button", name=name, exact=exact).first.click()


# ---------------------------------------------------------------- reading what is shown

def metric_value(page, label: str, within=None) -> str:
    """The value shown in the st.metric whose label is `label` (exact)."""
    scope = within if within is not None else main_area(page)
    m = scope.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(r"^\s*" + re.escape(label) + r"\s*$")))
    return m.first.locator('[data-testid="stMetricValue"]').inner_text(timeout=TIMEOUT).strip()


def metric_delta(page, label: str, within=None) -> str:
    scope = within if within is not None else main_area(page)
    m = scope.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(r"^\s*" + re.escape(label) + r"\s*$")))
    return m.first.locator('[data-testid="stMetricDelta"]').inner_text(timeout=TIMEOUT).strip()


def metrics(page, within=None) -> dict[str, str]:
    """label → value of every st.metric in the main area (or `within`)."""
    scope = within if within is not None else main_area(page)
    out = {}
    for m in scope.locator('[data-testid="stMetric"]').all():
        label = m.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        out[label] = m.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return out


_SECTION_JS = """
([heading, selector]) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const all = main.querySelectorAll('h1, h2, h3, ' + selector);
  const out = [];
  let on = false;
  for (const el of all) {
    if (/^H[123]$/.test(el.tagName)) {
      if (on) break;
      if (el.innerText.includes(heading)) on = true;
      continue;
    }
    if (on && !el.querySelector('h1, h2, h3')) out.push(el);
  }
  return out;
}
"""


def section_metrics(page, heading: str, at_least: int = 1) -> list[dict]:
    """The st.metric tiles between the heading containing `heading` and the next heading, in page order:
    [{"label", "value", "delta"}]. Waits until the section shows `at_least` tiles (they render after the
    heading)."""
    page.wait_for_function("(args) => (" + _SECTION_JS + ")(args).length >= " + str(int(at_least)),
                           arg=[heading, '[data-testid="stMetric"]'], timeout=TIMEOUT)
    page.wait_for_selector(IDLE, state="attached", timeout=TIMEOUT)
    return page.evaluate("""(args) => (""" + _SECTION_JS + """)(args).map(m => {
        const q = s => { const e = m.querySelector(s); return e ? e.innerText.trim() : null; };
        return {label: q('[data-testid="stMetricLabel"]'), value: q('[data-testid="stMetricValue"]'),
                delta: q('[data-testid="stMetricDelta"]')};
    })""", [heading, '[data-testid="stMetric"]'])


def section_text(page, heading: str) -> str:
    """The visible text of the elements between the heading containing `heading` and the next heading."""
    return "\n".join(page.evaluate("""(args) => (""" + _SECTION_JS + """)(args).map(e => e.innerText)""",
                                   [heading, '[data-testid="stElementContainer"]']))


def grid_text(page, within=None) -> str:
    """The text of every st.dataframe / st.table shown (the data grid's accessible table: the rows in view)."""
    scope = within if within is not None else main_area(page)
    grids = scope.locator('[data-testid="stDataFrame"]:visible, [data-testid="stTable"]:visible')
    parts = []
    for i in range(grids.count()):
        el = grids.nth(i)
        # the grid draws on a canvas and fills its accessible table once it has laid out
        el.locator("table td, table th").first.wait_for(state="attached", timeout=TIMEOUT)
        parts.append(el.locator("table").first.evaluate(
            "el => Array.from(el.querySelectorAll('th, td')).map(c => c.textContent).join('\\t')"))
    return "\n".join(parts)


def grid_text_with(page, needle: str, within=None, timeout: int = TIMEOUT) -> str:
    """grid_text once a grid shows `needle` (a rerun may briefly leave no grid attached); the last text read if it
    never does, so the caller's assertion shows what was there."""
    deadline = time.monotonic() + timeout / 1000
    text = grid_text(page, within)
    while needle not in text and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        text = grid_text(page, within)
    return text


# ---------------------------------------------------------------- files

def download(page, name: str, dest_dir: Path, within=None) -> Path:
    """Click the st.download_button called `name`, save the file under dest_dir and return its path."""
    scope = within if within is not None else main_area(page)
    button = scope.locator('[data-testid="stDownloadButton"]:visible').get_by_role("button", name=name).first
    with page.expect_download(timeout=TIMEOUT) as info:
        button.click()
    dl = info.value
    dest_dir.mkdir(parents=True, exist_ok=True)
    path = dest_dir / dl.suggested_filename
    dl.save_as(path)
    wait_idle(page)
    return path


def upload(page, path: Path, within=None) -> None:
    """Pick `path` with the file uploader's 'Browse files' button and the browser's file chooser."""
    scope = within if within is not None else main_area(page)
    uploader = scope.locator('[data-testid="stFileUploader"]:visible').first
    chips = uploader.locator('[data-testid="stFileChip"]')
    n = chips.count()
    with page.expect_file_chooser(timeout=TIMEOUT) as fc:
        uploader.locator('[data-testid="stFileUploaderDropzone"] button').first.click()
    fc.value.set_files(str(path))
    # the chip shows the name shortened in the middle (对公一队周报…W47.xlsx): wait for one more chip
    chips.nth(n).wait_for(state="visible", timeout=TIMEOUT)
    wait_idle(page)


def remove_upload(page, within=None) -> None:
    scope = within if within is not None else main_area(page)
    scope.locator('[data-testid="stFileUploader"]:visible [data-testid="stFileChipDeleteBtn"]').first.click()
    wait_idle(page)


# ---------------------------------------------------------------- screenshots

def screenshot(page, backend: str, journey: str, name: str, lang: str) -> Path:
    """A full-page PNG in test-artifacts/screenshots/<backend>/<journey>_<name>_<lang>.png.

    Streamlit scrolls inside its main container, not the document, so the viewport is stretched to the content's
    height for the shot and restored afterwards.
    """
    path = SCREENSHOTS / backend / f"{journey}_{name}_{lang}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or VIEWPORT
    height = page.evaluate("""() => {
        const els = [document.querySelector('[data-testid="stMain"]'),
                     document.querySelector('[data-testid="stAppViewContainer"]'),
                     document.querySelector('[data-testid="stSidebarContent"]')];
        return Math.max(...els.filter(Boolean).map(e => e.scrollHeight), document.body.scrollHeight);
    }""")
    tall = max(size["height"], min(int(height) + 40, 8000))
    if tall != size["height"]:
        page.set_viewport_size({"width": size["width"], "height": tall})
    try:
        page.wait_for_selector(IDLE, state="attached", timeout=TIMEOUT)
        page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    finally:
        if tall != size["height"]:
            page.set_viewport_size(size)
    return path


# Elements of the main area reaching past the viewport (`wide`: any box; `poking`: one no ancestor clips, so it is
# drawn past the screen's edge), and boxes scrolling sideways inside themselves (a phone)
TOO_WIDE_JS = """() => {
    const w = window.innerWidth;
    const out = [], poking = [];
    for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        if (r.right > w + 1 || r.left < -1) {
            let clip = el.parentElement, clipped = false;    // inside a box that scrolls or clips: not on the screen
            for (; clip && clip.getAttribute('data-testid') !== 'stMain'; clip = clip.parentElement) {
                if (getComputedStyle(clip).overflowX !== 'visible') { clipped = true; break; }
            }
            if (!clipped) poking.push((el.getAttribute('data-testid') || el.tagName) + '.'
                                      + String(el.className).slice(0, 40));
            out.push((el.getAttribute('data-testid') || el.tagName) + '.' + String(el.className).slice(0, 40)
                     + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
        }
    }
    const scrollers = Array.from(document.querySelectorAll('[data-testid="stMain"] *')).filter(el => {
        const cs = getComputedStyle(el);
        return /(auto|scroll)/.test(cs.overflowX) && el.scrollWidth > el.clientWidth + 1;
    }).map(el => (el.getAttribute('data-testid') || el.tagName) + ' in ' + (el.closest('[data-testid^="st"]') || {}).getAttribute?.('data-testid') + ' ' + el.scrollWidth + '>' + el.clientWidth);
    return {wide: out.slice(0, 10), poking: poking.slice(0, 10), scrollers: scrollers.slice(0, 10)};
}"""


_SIDEWAYS_JS = """() => {
        const els = [document.documentElement, document.body, document.querySelector('[data-testid="stMain"]'),
                     document.querySelector('[data-testid="stAppViewContainer"]')].filter(Boolean);
        return Math.max(...els.map(e => e.scrollWidth - e.clientWidth));
    }"""


def sideways(page, settle_ms: int = 5000) -> int:
    """How many pixels the page (document or Streamlit's main container) is wider than the screen, once its charts
    have followed the new width: right after the viewport shrinks, a Vega chart keeps its laptop width for a frame
    or two (566 px too wide, then 0). What stays wider after `settle_ms` is what a person would scroll."""
    from playwright.sync_api import TimeoutError as StillWide
    try:
        page.wait_for_function(f"() => ({_SIDEWAYS_JS})() <= 1", timeout=settle_ms, polling=100)
    except StillWide:       # still too wide: the figure returned says by how much
        pass
    return page.evaluate(_SIDEWAYS_JS)
