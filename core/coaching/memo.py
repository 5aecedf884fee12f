"""One evaluation per data version, shared by every viewer.

A review week's flags are evaluated over *all* managers (the peer medians need the whole branch) and only then
narrowed to the caller's scope, so the evaluation is the same for the director, each team lead and each of
5,500 managers opening his own 周小结 — until stored data changes. :func:`shared` keeps the last few
evaluations in this process, keyed by the database, :func:`core.store.data_version` (which changes on every
import, undo, target, plan, roster, calendar or coaching change) and what was evaluated, so the weekly page,
the coaching page and every scope share one evaluation per data version instead of one per request.

Concurrent callers asking for the same key wait for the first one's result rather than computing it again
(ten team leads opening the page at 8:30). What is handed out is shared: callers copy what they change (a
flag they mark acknowledged), and never change the value itself.
"""
from __future__ import annotations

import dataclasses
import json
import threading
from collections import OrderedDict
from typing import Any, Callable

from core import store

MAX_ENTRIES = 16
WAIT_SECONDS = 300

_lock = threading.Lock()
_entries: OrderedDict[tuple, Any] = OrderedDict()
_pending: dict[tuple, threading.Event] = {}


def rules_key(rules) -> str:
    """A stable text for a Rules value (its every parameter), part of the key."""
    return json.dumps(dataclasses.asdict(rules), sort_keys=True, default=str)


def _key(engine, what: tuple) -> tuple:
    url = engine.url
    # an in-memory SQLite database is private to its engine: the URL alone does not name it
    where = (url.render_as_string(hide_password=True),) + ((id(engine),) if url.database in (None, "", ":memory:")
                                                           else ())
    return where + (store.data_version(engine),) + what


def shared(engine, what: tuple, compute: Callable[[], Any]):
    """`compute()`'s result for `what` on this database at its current data version, computed once. The result is
    shared by every caller: read it, copy what you change."""
    key = _key(engine, what)
    while True:
        with _lock:
            if key in _entries:
                _entries.move_to_end(key)
                return _entries[key]
            event = _pending.get(key)
            if event is None:
                event = _pending[key] = threading.Event()
                break
        event.wait(WAIT_SECONDS)          # another session is computing it: take its result (or compute, if it failed)
        with _lock:
            if key in _entries:
                _entries.move_to_end(key)
                return _entries[key]
            if _pending.get(key) is event and not event.is_set():
                _pending.pop(key)         # it took too long: compute it here
                event = _pending[key] = threading.Event()
                break
    try:
        value = compute()
        with _lock:
            _entries[key] = value
            _entries.move_to_end(key)
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
        return value
    finally:
        with _lock:
            if _pending.get(key) is event:
                _pending.pop(key)
        event.set()


def clear() -> None:
    """Forget every evaluation (benchmarks time a page's first viewer; tests start clean)."""
    with _lock:
        _entries.clear()
