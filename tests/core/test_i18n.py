"""The message catalogue: every key has zh and en, keys are unique across files, placeholders agree."""
import datetime as dt
import re
from pathlib import Path

import pytest

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
        for key in i18n.read_messages(path):
            assert key not in seen, f"{key} in {path.name} and {seen[key]}"
            seen[key] = path.name


def test_a_key_written_twice_in_one_file_is_refused_with_its_lines(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text('a.b: {zh: "一", en: "one"}\nc.d: {zh: "二", en: "two"}\na.b: {zh: "三", en: "three"}\n',
                    encoding="utf-8")
    with pytest.raises(ValueError, match=r"x.yaml: line 3: key 'a.b' is defined twice \(first on line 1\)"):
        i18n.read_messages(path)
    path.write_text('a.b: {zh: "一", en: "one"}\nc.d: {zh: "二", en: "two"}\n', encoding="utf-8")
    assert list(i18n.read_messages(path)) == ["a.b", "c.d"]


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


@pytest.mark.parametrize("value, decimals, expected", [
    # half away from zero (the module's rounding), worked by hand; what rounds to zero reads '0', never '-0'
    (-0.3, 0, "0"), (-0.49, 0, "0"), (-0.0, 0, "0"),
    (-0.5, 0, "-1"), (0.5, 0, "1"), (-1.5, 0, "-2"), (1.5, 0, "2"), (-2.5, 0, "-3"),
    (-0.004, 2, "0.00"), (-0.005, 2, "-0.01"), (0.005, 2, "0.01"), (-1234.5, 0, "-1,235"),
])
def test_fmt_number_never_reads_negative_zero(value, decimals, expected):
    assert i18n.fmt_number(value, decimals) == expected


@pytest.mark.parametrize("fn, args, expected", [
    (i18n.fmt_yuan, (-0.001, "zh"), "0.00 元"), (i18n.fmt_yuan, (-0.001, "en"), "CNY 0.00"),
    (i18n.fmt_yuan, (-0.005, "en"), "-CNY 0.01"),
    (i18n.fmt_money_wan, (-0.004, "zh"), "0.00 万元"), (i18n.fmt_pct, (-0.0004,), "0.0%"),
    (i18n.fmt_pct, (-0.0005,), "-0.1%"),
])
def test_money_and_pct_never_read_negative_zero(fn, args, expected):
    assert fn(*args) == expected
