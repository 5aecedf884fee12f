"""Importing uploads: check the files (:mod:`core.ingest.safety`), parse and validate them against the stored
roster, then store them through ``core.store.logs`` in one transaction — only when nothing is wrong.
"""
from __future__ import annotations

import hashlib
import logging

from sqlalchemy import Engine

from core.errors import AppError, ScopeError
from core.ingest.daily import parse_daily
from core.ingest.locate import KINDS, Files
from core.ingest.problems import ImportOutcome, Problem, errors_of
from core.ingest.roster import parse_roster
from core.ingest.safety import DEFAULT_LIMITS, UploadLimits, check_upload
from core.ingest.targets import parse_targets
from core.scope import SYSTEM, Scope
from core.store import config as store_config
from core.store import logs as store_logs

log = logging.getLogger(__name__)


def sha256_of(files: Files) -> str:
    """SHA-256 of the uploaded bytes (for one file, the file's own SHA-256)."""
    h = hashlib.sha256()
    for _, data in files:
        h.update(data)
    return h.hexdigest()


def import_files(engine: Engine, scope: Scope, kind: str, files: Files, dry_run: bool = False,
                 limits: UploadLimits | None = None) -> ImportOutcome:
    """Check, parse and validate uploaded files, then store them — only when there is no error at all.

    Returns the store's summary (inserted/updated/unchanged; ``None`` when nothing was stored) and every
    problem. Never raises for bad input: unsafe or unreadable files, scope refusals and store refusals come
    back as problems. `dry_run` validates and counts what would change without writing.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r} (expected one of {', '.join(KINDS)})")
    limits = limits or DEFAULT_LIMITS
    files = [(str(n), bytes(d)) for n, d in files]
    filename = ", ".join(n for n, _ in files)
    outcome = ImportOutcome(None, [], sha256_of(files), kind=kind, filename=filename)
    if not scope.may_import:
        outcome.problems.append(Problem("error", "ingest.role_cannot_import", filename or "—"))
        return outcome
    if not files:
        outcome.problems.append(Problem("error", "ingest.no_files", "—"))
        return outcome
    safe: list[tuple[str, bytes]] = []
    for name, data in files:
        found = check_upload(name, data, limits)
        outcome.problems.extend(found)
        if not errors_of(found):
            safe.append((name, data))
    if errors_of(outcome.problems):
        return outcome
    try:
        roster = store_logs.read_roster(engine, SYSTEM)   # everyone: another team's manager is "out of scope"
        if kind == "daily":
            res = parse_daily(safe, roster, scope, overrides=store_config.calendar_overrides(engine), limits=limits)
        elif kind == "roster":
            res = parse_roster(safe, roster, scope, limits=limits)
        else:
            res = parse_targets(safe, roster, scope, limits=limits)
    except Exception:  # a parser bug must not become a traceback for the user; nothing was stored
        log.exception("parsing %s upload %s failed", kind, filename)
        outcome.problems.append(Problem("error", "ingest.parse_failed", filename))
        return outcome
    outcome.problems.extend(res.problems)
    outcome.sheets, outcome.sheet_rows = res.sheets, res.sheet_rows
    if not res.ok:
        return outcome
    apply = {"daily": store_logs.apply_daily, "roster": store_logs.apply_roster,
             "targets": store_logs.apply_targets}[kind]
    try:
        outcome.summary = apply(engine, scope, res.rows, filename, outcome.sha256, dry_run=dry_run)
    except ScopeError as exc:
        outcome.problems.append(Problem("error", "ingest.scope_refused", filename, params={"detail": exc}))
    except AppError as exc:
        outcome.problems.append(Problem("error", "ingest.store_refused", filename, params={"detail": exc}))
    return outcome
