"""Who an uploaded row belongs to: the roster entry named by its employee ID (leading zeros forgiven) or by its
manager name (narrowed by team, then by who is active), checked against what the uploader may write
(:meth:`core.scope.Scope.may_write_for`). Unknown names get up to three suggestions among the people the
uploader may see; no message names, numbers or places someone outside the uploader's scope beyond what the
file itself says.
"""
from __future__ import annotations

import difflib
import re

import pandas as pd

from core.ingest.locate import Table, cell
from core.ingest.problems import Problem
from core.ingest.readers import fold, text_value
from core.scope import Scope


def name_key(name: object) -> str:
    """A name as compared: full-width folded, without spaces, lower case."""
    return re.sub(r"\s+", "", fold(name)).lower() if name is not None else ""


class Roster:
    """Lookups of the roster for identifying managers in uploaded rows. `scope` None means no restriction."""

    def __init__(self, roster: pd.DataFrame | None, scope: Scope | None):
        roster = roster if roster is not None else pd.DataFrame(columns=["employee_id", "name", "team"])
        self.scope = scope
        self.by_id: dict[str, dict] = {}
        self.by_name: dict[str, list[str]] = {}
        self.by_stripped: dict[str, list[str]] = {}
        for rec in roster.to_dict("records"):
            eid = str(rec["employee_id"])
            self.by_id[eid] = rec
            self.by_name.setdefault(name_key(rec.get("name")), []).append(eid)
            self.by_stripped.setdefault(eid.lstrip("0") or "0", []).append(eid)

    def visible(self, eid: str) -> bool:
        return self.scope is None or self.scope.can_see_manager(eid, self.by_id[eid].get("team"))

    def may_write(self, eid: str) -> bool:
        return self.scope is None or self.scope.may_write_for(eid, self.by_id[eid].get("team"))

    def lookup_id(self, raw: str) -> str | None:
        if raw in self.by_id:
            return raw
        cands = self.by_stripped.get(raw.lstrip("0") or "0", [])
        return cands[0] if len(cands) == 1 else None

    def suggest(self, name: str | None, eid: str | None) -> list[str]:
        """Up to three visible roster entries closest to the name (or the ID), as '张伟(1001)'."""
        visible = [e for e in self.by_id if self.visible(e)]
        out: list[str] = []
        if name:
            names = {name_key(self.by_id[e].get("name")): e for e in visible}
            for m in difflib.get_close_matches(name_key(name), list(names), n=3, cutoff=0.3):
                out.append(names[m])
        if eid and len(out) < 3:
            for m in difflib.get_close_matches(eid, visible, n=3, cutoff=0.5):
                if m not in out:
                    out.append(m)
        return [f"{self.by_id[e].get('name')}({e})" for e in out[:3]]


def identify(tb: Table, row: list[object], excel_row: int, roster: Roster, id_field: str, name_field: str,
             problems: list[Problem], team_field: str | None = "team") -> str | None:
    """The employee_id of a row (by ID, or by name through the roster), or None with an error recorded."""
    eid_raw = text_value(cell(row, tb.cols.get(id_field)))
    name_raw = text_value(cell(row, tb.cols.get(name_field)))
    team_raw = text_value(cell(row, tb.cols.get(team_field))) if team_field else None
    return identify_texts(tb, eid_raw, name_raw, team_raw, excel_row, roster, id_field, name_field, problems,
                          team_field)


def identify_texts(tb: Table, eid_raw: str | None, name_raw: str | None, team_raw: str | None, excel_row: int,
                   roster: Roster, id_field: str, name_field: str, problems: list[Problem],
                   team_field: str | None = "team") -> str | None:
    """:func:`identify` from the cells' texts (``text_value``): the result depends on the texts only, the
    problems' row on `excel_row` only."""

    def err(code, column_field, value, **params):
        problems.append(tb.problem("error", code, excel_row, column_field, value, **params))

    if eid_raw is None and name_raw is None:
        err("ingest.missing_manager", id_field if id_field in tb.cols else name_field, None)
        return None
    if eid_raw is not None:
        eid = roster.lookup_id(eid_raw)
        if eid is None:
            sugg = roster.suggest(name_raw, eid_raw)
            err("ingest.unknown_manager" if sugg else "ingest.unknown_manager_none", id_field, eid_raw,
                suggestions=sugg)
            return None
        if name_raw is not None and name_key(name_raw) != name_key(roster.by_id[eid].get("name")):
            if roster.visible(eid):
                err("ingest.id_name_mismatch", name_field, name_raw, employee_id=eid,
                    roster_name=str(roster.by_id[eid].get("name")))
            else:   # never a name outside the uploader's scope
                err("ingest.id_name_mismatch_hidden", name_field, name_raw, employee_id=eid_raw)
            return None
    else:
        ids = roster.by_name.get(name_key(name_raw), [])
        if len(ids) > 1 and team_raw:
            ids = [e for e in ids if roster.by_id[e].get("team") == team_raw] or ids
        if len(ids) > 1:
            ids_active = [e for e in ids if bool(roster.by_id[e].get("active", True))]
            ids = ids_active if len(ids_active) == 1 else ids
        if not ids:
            sugg = roster.suggest(name_raw, None)
            err("ingest.unknown_manager" if sugg else "ingest.unknown_manager_none", name_field, name_raw,
                suggestions=sugg)
            return None
        if len(ids) > 1:
            shown = sorted(e for e in ids if roster.visible(e))
            if len(shown) == len(ids):
                err("ingest.ambiguous_name", name_field, name_raw, ids=shown)
            else:   # never an ID outside the uploader's scope
                err("ingest.ambiguous_name_hidden", name_field, name_raw)
            return None
        eid = ids[0]
    if not roster.may_write(eid):
        col = id_field if id_field in tb.cols and eid_raw is not None else name_field
        # only what the file says: never the name, ID or team of someone outside the uploader's scope
        err("ingest.out_of_scope", col, eid_raw or name_raw)
        return None
    if team_raw and team_field and roster.by_id[eid].get("team") not in (None, team_raw):
        problems.append(tb.problem("warning", "ingest.team_mismatch", excel_row, team_field, team_raw,
                                   roster_team=str(roster.by_id[eid].get("team"))))
    return eid
