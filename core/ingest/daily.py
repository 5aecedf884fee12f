"""The daily log (日报): one row per manager per day, checked column by column.

:func:`parse_daily` finds the daily-log sheets (:func:`core.ingest.locate.locate`), then checks each one a column
at a time (:func:`core.ingest.columns`): dates, managers (identified once per distinct ID/name/team texts), every
metric, days off (once per date) and duplicates across sheets and files. The problems come out in the order of
a row-by-row reading: by row, and within a row date, manager, metrics (``METRICS`` order), day off, duplicate.

Rows come out as ``employee_id, date, <METRICS...>, notes`` in the storage units of ``core.schema`` (flows 0
when blank, ``deposit_balance`` NaN when blank); a row with any error is left out. ``ParseResult.present`` says,
per row, which of the metric and notes columns its sheet has: a column the file does not have leaves the stored
value alone (a present but empty cell sets it empty). A value beyond the field's hard range
(:mod:`core.ingest.ranges`) is an error.
"""
from __future__ import annotations

import datetime as dt
import gc
from contextlib import contextmanager

import numpy as np
import pandas as pd

from core import calendar as cal
from core.ingest.columns import (BLANK_STATE, OK, STATE_CODES, columns, date_state, memo_map, number_column,
                                 skipped_rows)
from core.ingest.identify import Roster, identify_texts
from core.ingest.locate import Files, Table, locate
from core.ingest.problems import ParseResult, Problem, Problems, copy_params, errors_of
from core.ingest.readers import cell_display, is_blank, text_value
from core.ingest.safety import DEFAULT_LIMITS, UploadLimits
from core.ingest.ranges import DEFAULT_RANGES
from core.schema import FIELDS_BY_NAME, LOG_COLUMNS, METRICS, metric_unit_label
from core.scope import Scope

VALUE_COLUMNS = (*METRICS, "notes")
# Metrics that may legitimately be negative on a day (net flows); other amounts are warned about.
NET_FLOWS = ("deposits_new", "loans_new")
HOLIDAY_ZH = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
              "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
              "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利纪念日"}


def _daily_candidate(found: set[str]) -> bool:
    return len(found) >= 2 and ("date" in found or any(m in found for m in METRICS)) and \
        bool(found & {"employee_id", "manager_name", "date"})


def parse_daily(files: Files, roster: pd.DataFrame, scope: Scope | None = None, overrides=None,
                limits: UploadLimits | None = None, ranges: dict[str, float] | None = None,
                mappings=None) -> ParseResult:
    """Validate daily-log uploads against the roster.

    `roster` should be the whole roster (``read_roster(engine, SYSTEM)``) so that another team's manager is
    reported as out of scope rather than unknown; name suggestions only show managers the `scope` may see.
    `overrides` are the bank's calendar overrides (``store.config.calendar_overrides``); `ranges` the hard
    range of each metric (``core.ingest.ranges.hard_ranges``; the schema's defaults when None): a value beyond
    it is an error. `mappings` (``core.ingest.mappings.saved_for``) are the uploader's saved column mappings.

    Sheets are checked column by column (see :func:`_daily_table`); the problems come out in the order of a
    row-by-row reading: by row, and within a row date, manager, metrics (``METRICS`` order), day off,
    duplicate.
    """
    with _gc_paused():
        return _parse_daily(files, roster, scope, overrides, limits or DEFAULT_LIMITS, ranges or DEFAULT_RANGES,
                            mappings)


@contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while a long upload is read and checked.

    A 100,000-row sheet is a few million cells and tens of thousands of problems that all live until the end;
    every full collection would walk them again (about a third of the time spent). Reference counting still
    frees everything at once; the collector resumes afterwards (it is process-wide: a concurrent pause in
    another thread only ends the pause earlier)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _parse_daily(files: Files, roster: pd.DataFrame, scope: Scope | None, overrides,
                 limits: UploadLimits, ranges: dict[str, float], mappings=None) -> ParseResult:
    problems = Problems()
    tables = locate(files, "daily", _daily_candidate, ["date", ("employee_id", "manager_name")], problems, limits,
                    mappings)
    rr = Roster(roster, scope)
    seen: dict[tuple[str, dt.date], tuple[Table, int]] = {}
    day_memo: dict[dt.date, tuple[str, dict] | None] = {}
    sheet_rows: dict[str, int] = {}
    parts: list[dict] = []
    for tb in tables:
        n, found, part = _daily_table(tb, rr, overrides, seen, day_memo, ranges)
        problems.extend(found)
        parts.append(part)
        sheet_rows[tb.label] = n
    cols: dict[str, object] = {}
    for c in LOG_COLUMNS:
        pieces = [pt[c] for pt in parts]
        if c in METRICS:
            cols[c] = np.concatenate(pieces) if pieces else np.empty(0, dtype="float64")
        else:  # object columns, as from records (also when there is no row at all)
            cols[c] = pd.Series([v for pc in pieces for v in pc], dtype=object)
    rows = pd.DataFrame(cols, columns=list(LOG_COLUMNS))
    rows["date"] = pd.to_datetime(rows["date"])
    for m in METRICS:
        rows[m] = rows[m].astype("float64")
    rows["notes"] = rows["notes"].astype(object).where(rows["notes"].notna(), None)
    # which value columns each row's sheet has: an absent column keeps the stored value (core.store.logs)
    present = pd.DataFrame({c: np.concatenate([np.full(len(pt["date"]), c in tb.cols, dtype=bool)
                                               for tb, pt in zip(tables, parts)]) if parts else np.empty(0, bool)
                            for c in VALUE_COLUMNS})
    if not tables and not problems:
        problems.append(Problem("error", "ingest.no_rows", ", ".join(n for n, _ in files) or "—"))
    elif tables and not sum(sheet_rows.values()) and not errors_of(problems):
        problems.append(Problem("error", "ingest.no_rows", ", ".join(n for n, _ in files)))
    return ParseResult(rows.reset_index(drop=True), list(problems), [tb.label for tb in tables], sheet_rows,
                       present=present)


# Order of a row's problems (a row-by-row reading): date, manager, each metric, day off, duplicate.
_SLOT_DATE, _SLOT_ID, _SLOT_METRIC, _SLOT_DAY, _SLOT_DUP = 0, 1, 2, 2 + len(METRICS), 3 + len(METRICS)
_SLOTS = 4 + len(METRICS)


def _daily_table(tb: Table, rr: Roster, overrides, seen: dict, day_memo: dict,
                 ranges: dict[str, float]) -> tuple[int, list[Problem], dict]:
    """One daily-log sheet: (rows counted, problems in row order, the good rows' columns)."""
    start = tb.header_row + 1
    grid = tb.grid.rows[start:]
    key_cols = ("date", "employee_id", "manager_name", "team")
    metrics = [m for m in METRICS if m in tb.cols]
    text_fields = [k for k in ("employee_id", "manager_name", "team", "notes") if k in tb.cols]
    need = {0} | {tb.cols[k] for k in key_cols if k in tb.cols} | {tb.cols[m] for m in metrics} | \
        {tb.cols[k] for k in text_fields}
    cells = columns(grid, need)
    skipped = skipped_rows(tb, grid, cells, key_cols)
    pos = [i for i in range(len(grid)) if i not in skipped] if skipped else list(range(len(grid)))
    if skipped:
        cells = {j: [c[i] for i in pos] for j, c in cells.items()}
    n0 = len(pos)
    none_col = [None] * n0

    def col(fname: str) -> list[object]:
        j = tb.cols.get(fname)
        return none_col if j is None else cells[j]

    # metrics, dates and notes: blank masks for the pre-filled-name rows (no date, no number, no notes)
    parsed = {m: number_column(col(m), m, tb.units.get(m)) for m in metrics}
    raw_dates = col("date")
    day_state = memo_map(raw_dates, date_state)
    prefilled = np.fromiter((s is BLANK_STATE for s in day_state), dtype=bool, count=n0)
    for m in metrics:
        prefilled &= parsed[m][1]
    if prefilled.any():
        prefilled &= np.fromiter(memo_map(col("notes"), is_blank), dtype=bool, count=n0)
    if prefilled.any():
        keep = np.flatnonzero(~prefilled)
        pos = [pos[k] for k in keep]
        cells = {j: [c[k] for k in keep] for j, c in cells.items()}
        parsed = {m: (v[keep], b[keep], s[keep]) for m, (v, b, s) in parsed.items()}
        raw_dates = cells[tb.cols["date"]]
        day_state = [day_state[k] for k in keep]
        none_col = [None] * len(pos)
    n = len(pos)
    base = start + 1                      # Excel row of grid position 0
    found: list[Problem] = []
    order: list[int] = []                  # row position × slots + slot, per problem found
    bad = np.zeros(n, dtype=bool)

    def add(k: int, slot: int, p: Problem) -> None:
        found.append(p)
        order.append(k * _SLOTS + slot)
        if p.severity == "error":
            bad[k] = True

    # dates
    date_col, date_head = tb.cols["date"], tb.header_of("date")
    # a state is a date, or an error code / BLANK_STATE (text)
    bad_states = {st for st in set(day_state) if st.__class__ is str}
    dates: list[dt.date | None] = [None if st in bad_states else st for st in day_state] if bad_states \
        else day_state
    for k in ([k for k, st in enumerate(day_state) if st in bad_states] if bad_states else ()):
        st = day_state[k]
        if st is BLANK_STATE:
            add(k, _SLOT_DATE, Problem("error", "ingest.missing_value", tb.file, tb.sheet, base + pos[k], date_head,
                                       None, params={"field": "date"}, col_index=date_col))
        else:
            add(k, _SLOT_DATE, Problem("error", st, tb.file, tb.sheet, base + pos[k], date_head,
                                       cell_display(raw_dates[k]), col_index=date_col))
    # managers: identified once per distinct (ID, name, team) texts
    texts = {k: memo_map(col(k), text_value) for k in ("employee_id", "manager_name", "team")}
    who = list(zip(texts["employee_id"], texts["manager_name"], texts["team"]))
    ident: dict[tuple, str | None] = {}
    said: dict[tuple, list[Problem]] = {}   # the problems of a manager's cells, found on a first row
    for key in set(who):
        got: list[Problem] = []
        ident[key] = identify_texts(tb, key[0], key[1], key[2], base, rr, "employee_id", "manager_name", got)
        if got:
            said[key] = got
    eids: list[str | None] = list(map(ident.__getitem__, who))
    if said:
        for k, key in enumerate(who):
            for p in said.get(key, ()):
                add(k, _SLOT_ID, p.moved(base + pos[k]))
    # metrics
    out_metrics: dict[str, np.ndarray] = {}
    for slot, m in enumerate(METRICS):
        if m not in tb.cols:
            out_metrics[m] = np.full(n, np.nan if m == "deposit_balance" else 0.0)
            continue
        vals, blank, state = parsed[m]
        f = FIELDS_BY_NAME[m]
        j, head, raw = tb.cols[m], tb.header_of(m), cells[tb.cols[m]]
        for k in np.flatnonzero(state).tolist():
            code = STATE_CODES[int(state[k])]
            params = {"field": m} if code == "ingest.bad_number" else {}
            add(k, _SLOT_METRIC + slot, Problem("error", code, tb.file, tb.sheet, base + pos[k], head,
                                                cell_display(raw[k]), params=params, col_index=j))
        good = (state == OK) & ~blank
        hard = ranges.get(m, f.hard_max)
        with np.errstate(invalid="ignore"):
            beyond = good & ~(np.abs(vals) <= hard) if hard is not None else np.zeros(n, bool)
            good &= ~beyond
            implausible = good & (vals > f.max_plausible) if f.max_plausible is not None else np.zeros(n, bool)
            negative = good & ~implausible & (vals < 0) if f.kind == "amount" and m not in NET_FLOWS \
                else np.zeros(n, bool)
        for k in np.flatnonzero(beyond).tolist():
            add(k, _SLOT_METRIC + slot, Problem("error", "ingest.beyond_hard_range", tb.file, tb.sheet, base + pos[k],
                                                head, cell_display(raw[k]),
                                                params={"limit": f"{hard:,.0f}", "field": m,
                                                        "unit": _unit_label(m)}, col_index=j))
        for k in np.flatnonzero(implausible).tolist():
            add(k, _SLOT_METRIC + slot, Problem("warning", "ingest.implausible", tb.file, tb.sheet, base + pos[k], head,
                                                cell_display(raw[k]),
                                                params={"limit": f"{f.max_plausible:g}", "field": m}, col_index=j))
        for k in np.flatnonzero(negative).tolist():
            add(k, _SLOT_METRIC + slot, Problem("warning", "ingest.negative_amount", tb.file, tb.sheet, base + pos[k],
                                                head, cell_display(raw[k]), params={"field": m}, col_index=j))
        out = vals.copy()
        out[blank] = np.nan if m == "deposit_balance" else 0.0
        out_metrics[m] = out
    # days off (once per date) and duplicates
    dup_col = tb.cols.get("employee_id", tb.cols.get("manager_name"))
    dup_head = tb.header_of("employee_id") or tb.header_of("manager_name")
    off = set()
    for d in set(dates):
        if d is None:
            continue
        if d not in day_memo:
            day_memo[d] = day_off(d, overrides)
        if day_memo[d] is not None:
            off.add(d)
    if off:
        for k in [k for k, d in enumerate(dates) if d in off]:
            code, params = day_memo[dates[k]]
            add(k, _SLOT_DAY, Problem("warning", code, tb.file, tb.sheet, base + pos[k], date_head,
                                      cell_display(raw_dates[k]), copy_params(params), date_col))
    keyed = [k for k, (e, d) in enumerate(zip(eids, dates)) if e is not None and d is not None] \
        if None in eids or None in dates else range(n)
    keys = list(zip(eids, dates)) if len(keyed) == n else [(eids[k], dates[k]) for k in keyed]
    if len(set(keys)) == len(keys) and seen.keys().isdisjoint(keys):
        seen.update(zip(keys, [(tb, base + pos[k]) for k in keyed]))     # no duplicate: the common case
    else:
        for k, key in zip(keyed, keys):
            first = seen.get(key)
            if first is None:
                seen[key] = (tb, base + pos[k])
            else:
                add(k, _SLOT_DUP, Problem("error", "ingest.duplicate_row", tb.file, tb.sheet, base + pos[k],
                                          dup_head, key[0],
                                          params={"first": first[0].location(first[1]), "date": key[1].isoformat()},
                                          col_index=dup_col))
    found = [found[i] for i in sorted(range(len(found)), key=order.__getitem__)]
    good_rows = np.flatnonzero(~bad)
    all_good = len(good_rows) == n
    notes = memo_map(col("notes"), text_value)
    part = {"employee_id": eids if all_good else [eids[k] for k in good_rows],
            "date": dates if all_good else [dates[k] for k in good_rows],
            "notes": notes if all_good else [notes[k] for k in good_rows]}
    for m in METRICS:
        part[m] = out_metrics[m] if all_good else out_metrics[m][good_rows]
    return n, found, part


def _unit_label(metric: str) -> dict[str, str]:
    return {"zh": metric_unit_label(metric, "zh"), "en": metric_unit_label(metric, "en")}


def day_off(d: dt.date, overrides) -> tuple[str, dict] | None:
    """The warning (message key, parameters) for a row on a day off — a statutory holiday, a weekend or a day
    off in the bank's calendar — or None on a working day (a make-up working day, 调休, is one)."""
    if cal.is_workday(d, overrides):
        return None
    name = cal.holiday_name(d, overrides)
    if name:
        return "ingest.holiday", {"holiday": {"zh": HOLIDAY_ZH.get(name, name), "en": name}, "date": d.isoformat()}
    if d.weekday() >= 5:
        return "ingest.weekend", {"weekday": {"zh": ("周六", "周日")[d.weekday() - 5],
                                              "en": ("Saturday", "Sunday")[d.weekday() - 5]},
                                  "date": d.isoformat()}
    return "ingest.day_off", {"date": d.isoformat()}
