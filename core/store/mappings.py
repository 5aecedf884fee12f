"""Saved upload column mappings (table ``column_mappings``): SQL only.

Who may read, save or remove which mapping is decided by :mod:`core.ingest.mappings` (with
:class:`core.scope.Scope`) before these functions are called; every write is audited in its own transaction.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, and_, delete, insert, or_, select

from core.store import tables as t
from core.store import write_begin
from core.store.audit import now, record

COLUMNS = ["id", "kind", "team", "header", "header_text", "field", "created_by", "created_at"]


def read_mappings(engine: Engine, kind: str | None = None, teams: Iterable[str] | None = None,
                  branch: bool = True) -> list[dict]:
    """Stored mappings, branch-wide first, then by team, kind and header.

    `teams` None reads every team's mappings; a list reads only those teams' (empty: none); `branch` adds the
    branch-wide ones (team NULL)."""
    c = t.column_mappings.c
    q = select(t.column_mappings)
    if kind is not None:
        q = q.where(c.kind == kind)
    where = []
    if teams is None:
        where.append(c.team.is_not(None))
    else:
        teams = sorted(set(teams))
        if teams:
            where.append(c.team.in_(teams))
    if branch:
        where.append(c.team.is_(None))
    if not where:
        return []
    q = q.where(or_(*where)).order_by(c.team.is_not(None), c.team, c.kind, c.header, c.id)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def get_mapping(engine: Engine, mapping_id: int) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(t.column_mappings).where(t.column_mappings.c.id == int(mapping_id))).mappings().first()
    return dict(row) if row else None


def known_teams(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return {r[0] for r in conn.execute(select(t.teams.c.name))}


def save_mappings(engine: Engine, username: str, rows: list[dict]) -> list[int]:
    """Store each mapping (kind, team, header, header_text, field), replacing the one of the same kind, team and
    header; one transaction, one audit entry per mapping. Returns the new ids in order."""
    c = t.column_mappings.c
    ids = []
    with write_begin(engine) as conn:
        for r in rows:
            same_team = c.team.is_(None) if r["team"] is None else c.team == r["team"]
            conn.execute(delete(t.column_mappings).where(and_(c.kind == r["kind"], c.header == r["header"],
                                                              same_team)))
            new_id = conn.execute(insert(t.column_mappings).values(
                kind=r["kind"], team=r["team"], header=r["header"][:200], header_text=r["header_text"][:200],
                field=r["field"], created_by=username[:100], created_at=now())).inserted_primary_key[0]
            ids.append(int(new_id))
            record(conn, username, "mapping_save", r["header_text"],
                   {"id": int(new_id), "kind": r["kind"], "team": r["team"], "field": r["field"]})
    return ids


def delete_mapping(engine: Engine, username: str, mapping: dict) -> bool:
    """Remove a mapping read with :func:`get_mapping`; False when it was already gone."""
    with write_begin(engine) as conn:
        n = conn.execute(delete(t.column_mappings).where(t.column_mappings.c.id == mapping["id"])).rowcount
        if n:
            record(conn, username, "mapping_remove", mapping["header_text"],
                   {"id": mapping["id"], "kind": mapping["kind"], "team": mapping["team"],
                    "field": mapping["field"]})
    return bool(n)
