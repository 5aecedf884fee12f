"""Sign-in throttling: who must wait how long before trying a username again (pure; policy in docs/SECURITY.md).

Attempts are keyed by (username, client). :func:`client_id` names a client (its address and a digest of its
browser); :func:`throttle` decides from a username's recorded attempts; :func:`backoff` is the exponential
back-off. :mod:`core.auth` applies it at sign-in, :mod:`core.store.accounts` stores the attempts.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os

__all__ = ["BACKOFF_BASE", "BACKOFF_MAX", "FAILURE_WINDOW", "FREE_FAILURES", "KNOWN_FOR", "TRUSTED_PROXIES_ENV",
           "UNKNOWN_FREE_FAILURES", "backoff", "client_id", "throttle"]

FREE_FAILURES = 5                           # failures from one client before it has to wait
UNKNOWN_FREE_FAILURES = 10                  # failures from all not-known clients of a username, together
BACKOFF_BASE = dt.timedelta(minutes=1)      # the first wait; doubles with every further failure
BACKOFF_MAX = dt.timedelta(hours=1)
FAILURE_WINDOW = dt.timedelta(hours=24)     # failures older than this no longer count
KNOWN_FOR = dt.timedelta(days=90)           # a successful sign-in makes its client known for this long
TRUSTED_PROXIES_ENV = "DASH_TRUSTED_PROXIES"  # reverse proxies in front of the app (X-Forwarded-For entries)


def backoff(failures: int) -> dt.timedelta | None:
    """How long a client waits after its `failures`-th counted failure (None: no wait yet).

    1-4 → none; 5 → 1 min; 6 → 2 min; 7 → 4 min; 8 → 8 min; 9 → 16 min; 10 → 32 min; 11 and more → 1 h."""
    return _wait(failures, FREE_FAILURES)


def _wait(failures: int, free: int) -> dt.timedelta | None:
    if failures < free:
        return None
    return min(BACKOFF_BASE * 2 ** min(failures - free, 16), BACKOFF_MAX)


def client_id(ip: str | None, user_agent: str | None = None, forwarded_for: str | None = None,
              trusted_proxies: int | None = None) -> str:
    """Who a sign-in attempt comes from, as stored with it: ``address|digest of the browser`` (≤ 64 characters).

    The address is the connection's (`ip`); behind `trusted_proxies` reverse proxies (environment
    ``DASH_TRUSTED_PROXIES``, default 0) it is the entry those proxies added to X-Forwarded-For — never an entry
    the client could have written itself. Two people behind one address still differ by browser.
    """
    if trusted_proxies is None:
        try:
            trusted_proxies = max(0, int(os.environ.get(TRUSTED_PROXIES_ENV, "0") or 0))
        except ValueError:
            trusted_proxies = 0
    addr = (ip or "").strip()
    hops = [h.strip() for h in (forwarded_for or "").split(",") if h.strip()]
    if trusted_proxies and hops:
        addr = hops[-min(trusted_proxies, len(hops))]
    agent = hashlib.sha256((user_agent or "").encode("utf-8", "replace")).hexdigest()[:12]
    return f"{addr[:45] or '-'}|{agent}"


def throttle(attempts: list[tuple[dt.datetime, bool, str]], client: str, now: dt.datetime) -> dt.datetime | None:
    """Until when `client` must wait before it may try this username again; None if it may try now.

    `attempts` are the username's recorded attempts (at, ok, client), any order.

    * Its own failures since its last success within FAILURE_WINDOW: the n-th makes it wait ``backoff(n)`` from
      that failure (exponential back-off).
    * A client with a success within KNOWN_FOR is known: nothing else applies to it.
    * Any other client also waits for the failures of every not-known client together
      (UNKNOWN_FREE_FAILURES free, then the same doubling) — a stranger renews that wait only for clients the
      user never signed in from, never for his usual one.
    """
    attempts = sorted(attempts, key=lambda a: a[0])
    since = now - FAILURE_WINDOW
    known = {c for at, ok, c in attempts if ok and at > now - KNOWN_FOR}
    own: list[dt.datetime] = []
    for at, ok, c in attempts:
        if c != client:
            continue
        if ok:
            own = []
        elif at > since:
            own.append(at)
    ends = []
    if own and (w := _wait(len(own), FREE_FAILURES)) is not None:
        ends.append(own[-1] + w)
    if client not in known:
        strangers = [at for at, ok, c in attempts if not ok and c not in known and at > since]
        if strangers and (w := _wait(len(strangers), UNKNOWN_FREE_FAILURES)) is not None:
            ends.append(strangers[-1] + w)
    end = max(ends, default=None)
    return end if end is not None and end > now else None
