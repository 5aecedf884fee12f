"""The message catalogue: every key has zh and en, keys are unique across files, placeholders agree."""
import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from core import i18n

LOCALES = Path(i18n.__file__).parent / "locales"


def test_catalogue_loads_and_has_both_languages():
    cat = i18n.catalogue()
    assert len(cat) > 50
    for key, entry in cat.items():
        assert entry["zh"].strip() and entry["en"].strip(), key


def test_keys_unique_across_files():
    seen = {}
    for path in sorted(LOCALES.glob("*.yaml")):
        for key in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}):
            assert key not in seen, f"{key} in {path.name} and {seen[key]}"
            seen[key] = path.name


def test_placeholders_match_between_languages():
    for key, entry in i18n.catalogue().items():
        zh = set(re.findall(r"{(\w+)", entry["zh"]))
        en = set(re.findall(r"{(\w+)", entry["en"]))
        assert zh == en, key


@pytest.mark.parametrize("fn, args, expected", [
    (i18n.fmt_money_wan, (1234.5, "zh"), "1,234.50 万元"),
    (i18n.fmt_money_wan, (1234.5, "en"), "1,234.50 (CNY 10k)"),
    (i18n.fmt_money_wan, (float("nan"), "zh"), "—"),
    (i18n.fmt_yuan, (12345.678, "zh"), "12,345.68 元"),
    (i18n.fmt_yuan, (12345.678, "en"), "CNY 12,345.68"),
    (i18n.fmt_yuan, (-12.5, "en"), "-CNY 12.50"),
    (i18n.fmt_yuan, (-12.5, "zh"), "-12.50 元"),
    (i18n.fmt_pct, (0.8765,), "87.7%"),
    (i18n.fmt_date, (dt.date(2026, 11, 2), "zh"), "2026年11月2日"),
    (i18n.fmt_date, (dt.date(2026, 11, 2), "en"), "2026-11-02"),
    (i18n.fmt_month, ("2026-03", "zh"), "2026年3月"),
])
def test_formatters(fn, args, expected):
    assert fn(*args) == expected


def test_unknown_key_raises_and_lang_falls_back_to_zh():
    with pytest.raises(KeyError):
        i18n.t("no.such.key")
    assert i18n.t("page.morning", "fr") == "晨会"


@pytest.mark.parametrize("value, decimals, expected", [
    (2.675, 2, "2.68"),        # binary float 2.67499999… still rounds half up as written
    (1234567.125, 2, "1,234,567.13"),
    (-0.5, 0, "-1"),
    (0.0, 0, "0"),
])
def test_fmt_number_rounds_half_up(value, decimals, expected):
    assert i18n.fmt_number(value, decimals) == expected
