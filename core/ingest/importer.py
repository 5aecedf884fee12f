"""Importing uploads: check the files (:mod:`core.ingest.safety`), parse and validate them against the stored
roster, then store them through ``core.store.logs`` in one transaction — only when nothing is wrong.
"""
from __future__ import annotations

import hashlib
import logging

from sqlalchemy import Engine

from core.commission.effects import import_effects
from core.errors import AppError, ScopeError
from core.ingest.daily import parse_daily
from core.ingest.locate import KINDS, Files
from core.ingest.mappings import saved_for
from core.ingest.problems import ImportOutcome, Problem, errors_of
from core.ingest.roster import parse_roster
from core.ingest.ranges import hard_ranges
from core.ingest.safety import DEFAULT_LIMITS, UploadLimits, check_upload_sized, memory_reservation
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
    files = [(store_logs.clean_text(str(n)), bytes(d)) for n, d in files]   # no NUL in a stored file name
    filename = ", ".join(n for n, _ in files)
    outcome = ImportOutcome(None, [], sha256_of(files), kind=kind, filename=filename)
    if not scope.may_import:
        outcome.problems.append(Problem("error", "ingest.role_cannot_import", filename or "—"))
        return outcome
    if not files:
        outcome.problems.append(Problem("error", "ingest.no_files", "—"))
        return outcome
    safe: list[tuple[str, bytes]] = []
    need = 0
    for name, data in files:
        found, mem = check_upload_sized(name, data, limits)
        outcome.problems.extend(found)
        need += mem
        if not errors_of(found):
            safe.append((name, data))
    if errors_of(outcome.problems):
        return outcome
    with memory_reservation(need, limits) as granted:
        if not granted:   # other uploads hold the server's reading budget: refuse rather than exhaust it
            outcome.problems.append(Problem("error", "upload.server_busy", filename))
            return outcome
        return _parse_and_store(engine, scope, kind, safe, outcome, dry_run, limits)


def _parse_and_store(engine: Engine, scope: Scope, kind: str, safe: Files, outcome: ImportOutcome, dry_run: bool,
                     limits: UploadLimits) -> ImportOutcome:
    filename = outcome.filename
    try:
        roster = store_logs.read_roster(engine, SYSTEM)   # everyone: another team's manager is "out of scope"
        if kind == "daily":
            outcome.mappings = saved_for(engine, scope, kind)   # the uploader's saved column mappings
            res = parse_daily(safe, roster, scope, overrides=store_config.calendar_overrides(engine), limits=limits,
                              mappings=outcome.mappings, ranges=hard_ranges(engine))
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
    extra = {"present": res.present} if kind == "daily" else {}
    try:
        outcome.summary = apply(engine, scope, res.rows, filename, outcome.sha256, dry_run=dry_run, **extra)
        if dry_run:   # issue 11: what storing it would do to closed (paid) periods, said before it is stored
            outcome.closed_effects = import_effects(
                engine, scope, kind, res.rows,
                lambda eng: apply(eng, scope, res.rows, filename, outcome.sha256, **extra))
    except ScopeError as exc:
        outcome.problems.append(Problem("error", "ingest.scope_refused", filename, params={"detail": exc}))
    except AppError as exc:
        outcome.problems.append(Problem("error", "ingest.store_refused", filename, params={"detail": exc}))
    return outcome
