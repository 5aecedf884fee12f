"""Concurrent sessions: 1, 5 and 10 signed-in browsers opening 晨会 on one Streamlit server at the same moment.

    python benchmarks/sessions.py [--size 2m] [--counts 1,5,10] [--pg-url URL]

Builds the benchmark's PostgreSQL database (benchmarks/bulk.py: ``2m`` = 5,500 managers × every day of 2026 by
default), adds a director account, starts ``streamlit run app.py`` on it (tests/e2e/helpers.py AppServer) and
drives Debian's Chromium with Playwright: N browser contexts, each signed in as the director with the morning
meeting of 2026-10-15, first move to 数据导入 (a light page), then all click 晨会 in the sidebar together.
First render = from the click until the page's first tile (已交日报) is visible; the median over the N
sessions is reported, twice per N:

* cold — the data version was just bumped (an audit entry, as any write makes), so the page model is recomputed
  (the first session to ask computes it; st.cache_data makes the others wait for that result);
* warm — straight after, the same again: the cached model, so only the script run and the drawing.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DASH_ARGON2_FAST", "1")   # the server gets it too: a quick password hash for sign-in

from benchmarks.bulk import PG_ADMIN_URL, SIZES, build, dispose, existing  # noqa: E402
from core import auth  # noqa: E402
from core.i18n import t  # noqa: E402
from core.scope import SYSTEM  # noqa: E402
from core.store import audit  # noqa: E402
from tests.e2e.helpers import ARTIFACTS, CHROMIUM, LAUNCH_ARGS, VIEWPORT, AppServer  # noqa: E402

DAY = dt.date(2026, 10, 15)
USER, PASSWORD, NAME = "bench.director", "Chenhui2026", "王行长"
TIMEOUT = 300_000          # ms: ten cold sessions on a 2-core machine at 2M rows
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def _nav(page, key: str):
    return page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=re.compile(re.escape(t(key, "zh"))))


async def _sign_in(page, base_url: str) -> None:
    await page.goto(f"{base_url}/?day={DAY.isoformat()}", wait_until="domcontentloaded")
    form = page.locator('[data-testid="stForm"]')
    await form.get_by_label(t("auth.username", "zh"), exact=True).fill(USER)
    await form.get_by_label(t("auth.password", "zh"), exact=True).fill(PASSWORD)
    await form.get_by_role("button", name=t("auth.submit", "zh")).click()
    await page.locator('[data-testid="stSidebar"]').get_by_text(
        t("app.signed_in_as", "zh", name=NAME, role=t("role.director", "zh"))).wait_for(state="visible")


def _first_tile(page):
    label = page.locator('[data-testid="stMetricLabel"]', has_text=t("morning.logged", "zh"))
    return page.locator('[data-testid="stMain"] [data-testid="stMetric"]').filter(has=label).first


async def _away(page) -> None:
    await _nav(page, "page.upload").first.click()
    await page.locator('[data-testid="stMain"]').get_by_text(t("page.upload", "zh")).first.wait_for(state="visible")
    await _first_tile(page).wait_for(state="detached")
    await page.wait_for_selector(IDLE, state="attached")


async def _open_morning(page) -> float:
    t0 = time.perf_counter()
    await _nav(page, "page.morning").first.click()
    await _first_tile(page).wait_for(state="visible")
    return time.perf_counter() - t0


def _bump_version(engine) -> None:
    with engine.begin() as conn:
        audit.record(conn, "benchmark", "bench_cache_reset", detail={"at": dt.datetime.now().isoformat()})


async def measure(base_url: str, engine, counts: list[int]) -> list[tuple[int, str, list[float]]]:
    from playwright.async_api import async_playwright   # only this script needs the async API
    results = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        pages = []
        for n in counts:
            while len(pages) < n:
                ctx = await browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
                ctx.set_default_timeout(TIMEOUT)
                page = await ctx.new_page()
                await _sign_in(page, base_url)
                await _first_tile(page).wait_for(state="visible")       # the director lands on 晨会
                pages.append(page)
            group = pages[:n]
            for kind in ("cold", "warm"):
                await asyncio.gather(*(_away(pg) for pg in group))
                if kind == "cold":
                    _bump_version(engine)
                times = await asyncio.gather(*(_open_morning(pg) for pg in group))
                results.append((n, kind, list(times)))
                print(f"  {n:>2} sessions, {kind}: median {statistics.median(times):.2f} s "
                      f"(min {min(times):.2f}, max {max(times):.2f})", flush=True)
        await browser.close()
    return results


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="2m", choices=list(SIZES))
    ap.add_argument("--counts", default="1,5,10")
    ap.add_argument("--pg-url", default=PG_ADMIN_URL)
    ap.add_argument("--url", help="a PostgreSQL benchmark database kept by benchmarks/pages.py --keep/--build-only "
                                  "(of --size) instead of building one")
    args = ap.parse_args(argv)
    counts = sorted({int(c) for c in args.counts.split(",") if c.strip()})
    tmp = Path(tempfile.mkdtemp(prefix="bench-sessions-"))
    if args.url:
        eng, url, drop, n, secs = existing(args.url)
    else:
        eng, url, drop, n, secs = build(args.size, "postgresql", tmp, args.pg_url)
    server = None
    try:
        if auth.get_account(eng, USER) is None:       # a kept database may have him from an earlier run
            auth.create_user(eng, SYSTEM, USER, NAME, "director", password=PASSWORD)
        else:
            auth.reset_password(eng, SYSTEM, USER, PASSWORD)
        print(f"# {args.size} on postgresql: {n:,} log rows, built in {secs:.1f} s", flush=True)
        server = AppServer(url, "postgresql", ARTIFACTS / "logs" / "bench-sessions.log").start(timeout=120)
        results = asyncio.run(measure(server.base_url, eng, counts))
    finally:
        if server is not None:
            server.stop()
        dispose(eng, url)
        drop()
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print(f"| concurrent sessions ({args.size}, PostgreSQL) | first render of 晨会, cold cache (median) "
          f"| warm cache (median) |")
    print("| ---: | ---: | ---: |")
    by = {(n_, k): ts for n_, k, ts in results}
    for c in counts:
        print(f"| {c} | {statistics.median(by[(c, 'cold')]):.2f} s | {statistics.median(by[(c, 'warm')]):.2f} s |")
    print(f"\ncommand: python benchmarks/sessions.py --size {args.size} --counts {','.join(map(str, counts))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
