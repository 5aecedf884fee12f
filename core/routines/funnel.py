"""The activity funnel visits → new customers → products sold, against the peer group.

**products sold**: credit_cards + mobile_banking (counts) + one sale for each logged day with deposits_new > 0,
loans_new > 0 or wealth_sales > 0 (each counted separately). fee_income is revenue from those products, not a
product, and is not counted.
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from core.measures import safe_div
from core.routines.frames import BRANCH, check_level, manager_info, slice_period, sum_by_id

FUNNEL_STAGES = ("visits", "new_customers", "products_sold")
DEAL_AMOUNT_METRICS = ("deposits_new", "loans_new", "wealth_sales")   # a day with > 0 counts one sale
DEAL_COUNT_METRICS = ("credit_cards", "mobile_banking")               # each unit counts one sale


def _products_sold(df: pd.DataFrame) -> pd.Series:
    out = pd.Series(0.0, index=df.index)
    for m in DEAL_COUNT_METRICS:
        out = out + df[m]
    for m in DEAL_AMOUNT_METRICS:
        out = out + (df[m] > 0).astype("float64")
    return out

_FUNNEL_RATES = ("visit_to_new", "new_to_product", "visit_to_product")


def _funnel_rates(df: pd.DataFrame, prefix: str = "") -> pd.DataFrame:
    v, nc, p = (df[prefix + c].to_numpy(dtype="float64") for c in FUNNEL_STAGES)
    return pd.DataFrame({prefix + "visit_to_new": safe_div(nc, v), prefix + "new_to_product": safe_div(p, nc),
                         prefix + "visit_to_product": safe_div(p, v)}, index=df.index)


def funnel(logs: pd.DataFrame, start, end, level: str = "manager", roster: pd.DataFrame | None = None) -> pd.DataFrame:
    """Activity funnel visits → new customers → products sold over start..end, with conversion rates against the
    peer group (a manager against his team, a team against the branch; the branch against itself).

    Columns: level, entity, employee_id, name, team, visits, new_customers, products_sold (see module doc),
    visit_to_new (new_customers / visits: the conversion), new_to_product (products_sold / new_customers — may
    exceed 1, existing customers buy too: not a conversion), visit_to_product (products_sold / visits: products
    per visit, a rate shown as a number, not a percentage), the same three rates for the peer group as
    peer_visit_to_new …, and the differences own − peer as visit_to_new_vs_peer … (NaN when undefined).
    """
    check_level(level)
    need = ["employee_id", "date", "visits", "new_customers", *DEAL_COUNT_METRICS, *DEAL_AMOUNT_METRICS]
    sub = slice_period(logs, start, end, need if not logs.empty else None)
    per = pd.DataFrame({"employee_id": sub["employee_id"].to_numpy(dtype=object),
                        "visits": sub["visits"].to_numpy(dtype="float64"),
                        "new_customers": sub["new_customers"].to_numpy(dtype="float64"),
                        "products_sold": _products_sold(sub).to_numpy(dtype="float64")})
    keys, sums, _ = sum_by_id(per, FUNNEL_STAGES)
    man = pd.DataFrame(sums, index=keys, columns=list(FUNNEL_STAGES)).reset_index()
    return funnel_from_sums(man, level, roster, slice_period(logs, start, end) if roster is None or roster.empty
                            else None)


def products_sold(sums: pd.DataFrame) -> pd.Series:
    """Products sold (see the module doc) from sums per manager: credit_cards + mobile_banking + days_<m> (the
    logged days with <m> > 0) of the deposits, loans and wealth sales."""
    out = sums[list(DEAL_COUNT_METRICS)].sum(axis=1).astype("float64")
    for m in DEAL_AMOUNT_METRICS:
        out = out + sums[f"days_{m}"].astype("float64")
    return out


def funnel_from_sums(man: pd.DataFrame, level: str = "manager", roster: pd.DataFrame | None = None,
                     info_logs: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`funnel` from the period's stage sums per manager already made (`man`: employee_id, visits,
    new_customers, products_sold; sorted by employee_id)."""
    check_level(level)
    man = man[["employee_id", *FUNNEL_STAGES]].reset_index(drop=True)
    ids = pd.Index(man["employee_id"], dtype=object)
    info = manager_info(ids, roster, info_logs if roster is None or roster.empty else None)
    man["team"] = info["team"].reindex(ids).to_numpy()
    man["name"] = info["name"].reindex(ids).to_numpy()
    team = man.groupby(man["team"].fillna(""), sort=True)[list(FUNNEL_STAGES)].sum()
    branch = pd.DataFrame([man[list(FUNNEL_STAGES)].sum()], index=[BRANCH])
    if level == "manager":
        out = man.assign(level="manager", entity=man["employee_id"])
        peer = team.reindex(out["team"].fillna("")).set_axis(out.index)
    elif level == "team":
        out = team.reset_index(names="entity").assign(level="team", employee_id=None)
        out["name"] = out["entity"]
        out["team"] = out["entity"]
        peer = pd.DataFrame(np.repeat(branch.to_numpy(), len(out), axis=0), columns=list(FUNNEL_STAGES),
                            index=out.index)
    else:
        out = branch.reset_index(names="entity").assign(level="branch", employee_id=None, name=None, team=None)
        peer = branch.set_axis(out.index)
    out = pd.concat([out.reset_index(drop=True), _funnel_rates(out).reset_index(drop=True)], axis=1)
    peer = peer.add_prefix("peer_").reset_index(drop=True)
    pr = _funnel_rates(peer, "peer_")
    for r in _FUNNEL_RATES:
        out["peer_" + r] = pr["peer_" + r].to_numpy()
        out[r + "_vs_peer"] = out[r].to_numpy() - pr["peer_" + r].to_numpy()
    cols = ["level", "entity", "employee_id", "name", "team", *FUNNEL_STAGES, *_FUNNEL_RATES,
            *("peer_" + r for r in _FUNNEL_RATES), *(r + "_vs_peer" for r in _FUNNEL_RATES)]
    return out[cols].reset_index(drop=True)


def funnel_stages(funnel_df: pd.DataFrame) -> pd.DataFrame:
    """:func:`funnel` rows in long form for a funnel chart: level, entity, name, team, stage (one of
    FUNNEL_STAGES), stage_no (0..2), value, rate (the conversion visits → new customers, on the new-customers stage
    only; NaN elsewhere) and per_visit (products sold per visit, on the products stage only: a rate, not a
    conversion — one visit can sell several products)."""
    cols = ["level", "entity", "name", "team", "stage", "stage_no", "value", "rate", "per_visit"]
    if funnel_df.empty:
        return pd.DataFrame(columns=cols)
    parts = []
    for i, s in enumerate(FUNNEL_STAGES):
        p = funnel_df[["level", "entity", "name", "team"]].copy()
        p["stage"] = s
        p["stage_no"] = i
        p["value"] = funnel_df[s].to_numpy(dtype="float64")
        p["rate"] = funnel_df["visit_to_new"].to_numpy(dtype="float64") if s == "new_customers" else np.nan
        p["per_visit"] = funnel_df["visit_to_product"].to_numpy(dtype="float64") if s == "products_sold" else np.nan
        parts.append(p)
    return pd.concat(parts, ignore_index=True).sort_values(["entity", "stage_no"], kind="stable").reset_index(drop=True)
