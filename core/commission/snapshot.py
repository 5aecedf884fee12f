"""A statement frozen as JSON and thawed back exactly (the snapshot of a closed period), and its fingerprint.

The encoding is tagged so that every value comes back with its type: a Decimal as ``{"$d": "12.30"}`` (its exact
text, so 12.30 stays 12.30), a date as ``{"$date": ...}``, a tuple as ``{"$t": [...]}`` and a dataclass of the
commission package as ``{"$dc": "Line", ...fields}``. New fields of :class:`~core.commission.compute.Statement`
are carried without changes here; a field missing from an older snapshot takes its dataclass default.

The fingerprint is the SHA-256 of what the statement was computed from (grade, plan, quantities, targets and
the days behind them): equal fingerprints mean the same source.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import importlib
import json
from decimal import Decimal

from core.commission.compute import Statement
from core.commission.days import Days

_PACKAGE = "core.commission."


def _encode(v):
    if isinstance(v, Decimal):
        return {"$d": str(v)}
    if isinstance(v, dt.datetime):
        return {"$dt": v.isoformat()}
    if isinstance(v, dt.date):
        return {"$date": v.isoformat()}
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        cls = type(v)
        out = {"$dc": f"{cls.__module__}:{cls.__qualname__}"}
        for f in dataclasses.fields(v):
            out[f.name] = _encode(getattr(v, f.name))
        return out
    if isinstance(v, tuple):
        return {"$t": [_encode(x) for x in v]}
    if isinstance(v, (list, Days)):
        return [_encode(x) for x in v]
    if isinstance(v, dict):
        return {"$map": [[_encode(k), _encode(x)] for k, x in v.items()]}
    return v


def _class(name: str):
    module, _, qual = name.partition(":")
    if not module.startswith(_PACKAGE):      # only the package's own result types are ever rebuilt
        raise ValueError(f"snapshot: unexpected type {name!r}")
    return getattr(importlib.import_module(module), qual)


def _decode(v):
    if isinstance(v, list):
        return [_decode(x) for x in v]
    if not isinstance(v, dict):
        return v
    if "$d" in v:
        return Decimal(v["$d"])
    if "$date" in v:
        return dt.date.fromisoformat(v["$date"])
    if "$dt" in v:
        return dt.datetime.fromisoformat(v["$dt"])
    if "$t" in v:
        return tuple(_decode(x) for x in v["$t"])
    if "$map" in v:
        return {_decode(k): _decode(x) for k, x in v["$map"]}
    cls = _class(v["$dc"])
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: _decode(x) for k, x in v.items() if k in names})


def freeze(statement: Statement) -> str:
    """The statement as tagged JSON text (stable: the same statement always gives the same text)."""
    return json.dumps(_encode(statement), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def thaw(text: str) -> Statement:
    """The statement frozen by :func:`freeze`, exactly."""
    return _decode(json.loads(text))


def fingerprint(statement: Statement) -> str:
    """SHA-256 of the statement's source: grade, plan, quantities, targets and the days behind each quantity."""
    src = {"grade": statement.grade, "plan": [statement.plan_name, statement.plan_effective_from.isoformat()],
           "quantities": {k: str(v) for k, v in sorted(statement.quantities.items())},
           "targets": {k: None if v is None else str(v) for k, v in sorted(statement.targets.items())},
           "days": {k: [[d.isoformat(), str(x)] for d, x in ds]
                    for k, ds in sorted(statement.days_by_metric().items())}}
    return hashlib.sha256(json.dumps(src, sort_keys=True).encode()).hexdigest()


__all__ = ["freeze", "thaw", "fingerprint"]
