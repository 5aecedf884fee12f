"""The fixture bank and the serialisation behind tests/core/routines/test_page_golden.py.

The bank: the demo bank (core.demo, end 2026-11-20: 32 managers in 4 teams, 26 weeks of working-day logs with
planted missing logs, spikes, declines), plus, for 同比, the demo's June–November logs copied 364 days back into
2025 (same weekdays), plus two calendar overrides of the bank (Monday 2026-11-09 a day off, Saturday 2026-11-14
a working day) on top of chinesecalendar's holidays and 调休 (National Day 2026, Sunday 2026-09-27 worked).

A page model becomes plain JSON: dataclasses field by field, DataFrames as {"columns", "index", "records"}
with floats rounded to 6 decimals (NaN → "NaN", ±inf → "inf"/"-inf"), dates as ISO text.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pandas as pd

from core import demo, routines
from core.schema import METRICS
from core.scope import SYSTEM, Scope
from core.store import config as store_config
from core.store.logs import apply_daily

END = dt.date(2026, 11, 20)
LEAD_TEAM = "对公一队"
MANAGER = "CM002"          # 对公一队, the planted 'declining' manager
OVERRIDES = ((dt.date(2026, 11, 9), False), (dt.date(2026, 11, 14), True))

SCOPES = {
    "director": Scope("director", "golden_director"),
    "lead": Scope("team_lead", "golden_lead", team=LEAD_TEAM),
    "manager": Scope("manager", "golden_manager", employee_id=MANAGER),
}
# (page, period argument, extra keyword arguments) — several days / weeks / months each
CASES = {
    "morning": [("2026-11-20", {}), ("2026-10-09", {}), ("2026-11-02", {}), ("2026-11-16", {})],
    "weekly": [("2026-W47", {"today": END}), ("2026-W41", {"today": END}), ("2026-W46", {"today": END}),
               ("2026-W47", {"today": dt.date(2026, 11, 18)})],
    "monthly": [("2026-11", {"as_of": END}), ("2026-10", {}), ("2026-09", {}),
                ("2026-06", {"as_of": dt.date(2026, 6, 17)})],
}
EN_CASES = {"morning": 0, "weekly": 0, "monthly": 1}    # the case also run in English


def build(engine) -> None:
    """Load the fixture bank into a migrated, empty database."""
    bank = demo.load_demo(engine, end=END)
    logs = bank.logs
    d = pd.to_datetime(logs["date"])
    last_year = logs[d >= pd.Timestamp("2026-06-01")].copy()
    last_year["date"] = (pd.to_datetime(last_year["date"]) - pd.Timedelta(days=364)).dt.date
    apply_daily(engine, SYSTEM, last_year[["employee_id", "date", *METRICS, "notes"]].reset_index(drop=True),
                "golden last year", "golden-ly")
    for day, workday in OVERRIDES:
        store_config.set_calendar_override(engine, SYSTEM, day, workday, "golden")


def case_ids() -> list[tuple[str, str, int, str]]:
    """(page, scope key, case number, lang) of every golden file."""
    out = []
    for page, cases in CASES.items():
        for who in SCOPES:
            for i in range(len(cases)):
                out.append((page, who, i, "zh"))
            out.append((page, who, EN_CASES[page], "en"))
    return out


def file_name(page: str, who: str, i: int, lang: str) -> str:
    return f"{page}-{who}-{i}-{lang}.json"


def model_of(engine, page: str, who: str, i: int, lang: str):
    arg, kw = CASES[page][i]
    scope = SCOPES[who]
    fn = {"morning": routines.morning_page, "weekly": routines.weekly_page, "monthly": routines.monthly_page}[page]
    return fn(engine, scope, arg, lang=lang, **kw)


def plain(x):
    """A page model (or any part of it) as JSON-ready data."""
    if isinstance(x, pd.DataFrame):
        idx = None if isinstance(x.index, pd.RangeIndex) else [plain(v) for v in x.index]
        return {"columns": [str(c) for c in x.columns], "index": idx,
                "records": [[plain(v) for v in row] for row in x.itertuples(index=False, name=None)]}
    if isinstance(x, pd.Series):
        return {"index": [plain(v) for v in x.index], "values": [plain(v) for v in x.tolist()]}
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return {"__type__": type(x).__name__,
                **{f.name: plain(getattr(x, f.name)) for f in dataclasses.fields(x)}}
    if isinstance(x, dict):
        return {str(plain(k)): plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if isinstance(x, (set, frozenset)):
        return sorted(plain(v) for v in x)
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        v = float(x)
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        v = round(v, 6)
        return 0.0 if v == 0 else v
    if x is pd.NaT:
        return "NaT"
    if isinstance(x, pd.Timestamp):
        return x.isoformat()
    if isinstance(x, (dt.date, dt.datetime)):
        return x.isoformat()
    if isinstance(x, np.datetime64):
        return "NaT" if np.isnat(x) else pd.Timestamp(x).isoformat()
    if x is None or isinstance(x, str):
        return x
    if x is pd.NA:
        return "NA"
    return repr(x)


def differences(got, want, path: str = "") -> list[str]:
    """Where two plain() values differ ('path: got … want …'); floats within one unit of the 6th decimal (plus
    a relative 1e-12 for large values) are the same — the rounding of an exact and a float sum may differ."""
    if isinstance(got, dict) and isinstance(want, dict):
        if got.keys() != want.keys():
            return [f"{path}: keys {sorted(got)} ≠ {sorted(want)}"]
        return [d for k in want for d in differences(got[k], want[k], f"{path}.{k}")]
    if isinstance(got, list) and isinstance(want, list):
        if len(got) != len(want):
            return [f"{path}: {len(got)} items ≠ {len(want)}"]
        return [d for i, (g, w) in enumerate(zip(got, want)) for d in differences(g, w, f"{path}[{i}]")]
    if isinstance(got, float) and isinstance(want, (int, float)) and not isinstance(want, bool) \
            or isinstance(want, float) and isinstance(got, (int, float)) and not isinstance(got, bool):
        if abs(got - want) <= 1.000001e-6 + 1e-12 * abs(want):
            return []
    return [] if got == want else [f"{path}: got {str(got)[:80]} want {str(want)[:80]}"]
