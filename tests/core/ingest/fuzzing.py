"""Hypothesis profiles of the fuzzing and model tests: ``ci`` (bounded, the default) and ``long`` (by hand:
``HYPOTHESIS_PROFILE=long pytest tests/core/ingest/test_fuzz.py tests/core/ingest/test_undo_model.py``), and the
tally of what the fuzzers tried (written to ``$FUZZ_REPORT`` when set, for the README's figures)."""
from __future__ import annotations

import json
import os
from collections import Counter

from hypothesis import HealthCheck, settings

_COMMON = {"deadline": None, "derandomize": False, "print_blob": True,
           "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                     HealthCheck.data_too_large, HealthCheck.filter_too_much]}
settings.register_profile("ci", max_examples=40, stateful_step_count=12, **_COMMON)
settings.register_profile("long", max_examples=1500, stateful_step_count=40, **_COMMON)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

TALLY: Counter = Counter()


def write_tally() -> None:
    path = os.environ.get("FUZZ_REPORT")
    if path:
        old = {}
        if os.path.exists(path):
            with open(path) as fh:
                old = json.load(fh)
        for k, v in TALLY.items():
            old[k] = old.get(k, 0) + v
        with open(path, "w") as fh:
            json.dump(old, fh, indent=1, sort_keys=True)
    TALLY.clear()
