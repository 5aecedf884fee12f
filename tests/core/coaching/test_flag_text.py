"""A flag's reason sentences are written when first read, from the rule's hit, and then kept: an evaluation of a
branch makes thousands of flags and a page shows a few. The text is the same as if written at once, survives a
copy and Streamlit's cache (pickle), and a text given explicitly is kept as given."""
from __future__ import annotations

import copy
import pickle

from core import coaching as c
from core.i18n import t
from tests.core.coaching.bank import D, _bank, _flags, _one, _set


def _complaint_flag():
    roster, logs, targets = _bank()
    _set(logs, "E1", D(2026, 12, 7), D(2026, 12, 7), complaints=3.0)
    return _one(_flags(logs, roster, targets), "E1", "complaints")


def test_the_reason_is_written_when_read_and_kept():
    f = _complaint_flag()
    assert vars(f).get("_reason_zh") is None and vars(f).get("_reason_en") is None   # nothing written yet
    # what the rule's own reason parameters make of the hit (3 complaints this week, high ≥ 2)
    want_zh = t("coaching.reason.complaints", "zh", count="3")
    want_en = t("coaching.reason.complaints", "en", count="3")
    assert (f.reason_zh, f.reason_en) == (want_zh, want_en)
    assert "3" in f.reason_zh and vars(f)["_reason_zh"] == want_zh             # written once, kept
    assert f.reason("en") == want_en and f.to_dict()["reason_zh"] == want_zh


def test_copies_and_the_cache_keep_the_text():
    f = _complaint_flag()
    unread = pickle.loads(pickle.dumps(f))                                    # st.cache_data pickles page models
    assert unread.reason_zh == f.reason_zh and unread == f
    read = pickle.loads(pickle.dumps(f))
    assert read.reason_en == f.reason_en
    twin = copy.copy(f)
    twin.acknowledged = True
    assert twin.reason_zh == f.reason_zh and not f.acknowledged


def test_an_explicit_text_is_kept_as_given():
    f = c.Flag("CM002", "李娜", "对公一队", "busy_not_converting", "high", {"visits": 30}, "拜访 30 户,新增 0 户",
               "30 visits, 0 new customers", "skills", "需求挖掘", "needs discovery")
    assert (f.reason_zh, f.reason_en) == ("拜访 30 户,新增 0 户", "30 visits, 0 new customers")
    bare = c.Flag("CM002", "李娜", "对公一队", "complaints", "high", {})
    assert (bare.reason_zh, bare.reason_en) == ("", "")                      # no hit, no text: empty, not None
