"""The rules file: defaults, validation with lines and dotted paths, partial files."""
from __future__ import annotations

import pytest

from core import coaching as c
from core.errors import AppError

# ------------------------------------------------------------------------------------------ rules file

def test_sample_file_is_the_defaults():
    assert c.load_rules(c.default_rules_text()) == c.Rules.default()
    text = c.default_rules_text()
    for rid in c.RULE_IDS:
        assert f"  {rid}:" in text


# Each problem: its dotted path, its 1-based line and its message key. Duplicate keys and YAML syntax errors are
# found by the shared loader (core.config_yaml), which names the key in the message rather than in the path.
@pytest.mark.parametrize("text,path,line,key", [
    ("rules:\n  behind_pace:\n    ratio: 1.5\n", "rules.behind_pace.ratio", 3, "config.out_of_range"),
    ("rules:\n  behind_pace:\n    ratio: 0\n", "rules.behind_pace.ratio", 3, "config.out_of_range"),
    ("rules:\n  lazy:\n    enabled: true\n", "rules.lazy", 2, "coaching.rules.unknown_rule"),
    ("rules:\n  complaints:\n    threshold: 3\n", "rules.complaints.threshold", 3, "config.unknown_key"),
    ("rules:\n  low_activity:\n    weeks: two\n", "rules.low_activity.weeks", 3, "config.not_integer"),
    ("rules:\n  low_activity:\n    weeks: 1.5\n", "rules.low_activity.weeks", 3, "config.not_integer"),
    ("rules:\n  low_activity:\n    enabled: yes please\n", "rules.low_activity.enabled", 3, "config.not_bool"),
    ("rules:\n  low_activity:\n    severity: urgent\n", "rules.low_activity.severity", 3, "config.bad_choice"),
    ("rules:\n  declining:\n    metrics: [visits, hugs]\n", "rules.declining.metrics", 3, "config.bad_choice"),
    ("peer_group_min_size: 3\nteam_size: 4\n", "team_size", 2, "config.unknown_key"),
    ("peer_group_min_size: 0\n", "peer_group_min_size", 1, "config.out_of_range"),
    ("praise:\n  top_n: 0\n", "praise.top_n", 2, "config.out_of_range"),
    ("rules:\n  behind_pace:\n    ratio: 0.5\n    high_ratio: 0.6\n", "rules.behind_pace.high_ratio", 4,
     "coaching.rules.order"),
    ("rules:\n  complaints:\n    min_count: 3\n    high_count: 2\n", "rules.complaints.high_count", 4,
     "coaching.rules.order"),
    ("rules:\n  complaints:\n    min_count: 1\n    min_count: 2\n", "rules.complaints.min_count", 4,
     "config.duplicate_key"),
    ("rules: [1, 2]\n", "rules", 1, "config.not_mapping"),
    ("- 1\n- 2\n", "", 1, "config.not_mapping"),
    ("rules:\n  behind_pace: {ratio: 0.7\n", "", None, "config.yaml_error"),
])
def test_rules_validation(text, path, line, key):
    with pytest.raises(AppError) as exc:
        c.load_rules(text)
    assert exc.value.key == "coaching.rules.invalid"
    p = exc.value.problems[0]
    assert (p.path, p.key) == (path, key)
    if line is not None:
        assert p.line == line
        where = path or "(root)"
        assert p.message("en").startswith(f"line {line}: {where}: ")
        assert p.message("zh").startswith(f"第 {line} 行 {where}:")


def test_rules_messages_name_the_problem():
    with pytest.raises(AppError) as exc:
        c.load_rules("rules:\n  lazy: {}\n  complaints:\n    min_count: 0\n")
    assert exc.value.messages("en") == [
        "line 2: rules.lazy: unknown rule id lazy (allowed: " + ", ".join(c.RULE_IDS) + ")",
        "line 4: rules.complaints.min_count: 0 is outside the allowed range [1, 100]"]


@pytest.mark.parametrize("text,check", [
    ("", lambda r: r == c.Rules.default()),
    ("rules:\n  complaints:\n    enabled: false\n", lambda r: not r.enabled("complaints") and r.enabled("declining")),
    ("rules:\n  behind_pace:\n    ratio: 0.8\n", lambda r: r.p("behind_pace", "ratio") == 0.8
     and r.p("behind_pace", "high_ratio") == 0.5),
    ("history_weeks: 4\npraise:\n  top_n: 3\n", lambda r: r.history_weeks == 4 and r.praise_top_n == 3),
    ("rules:\n  low_activity:\n    weeks: 3.0\n", lambda r: r.p("low_activity", "weeks") == 3),
])
def test_rules_partial_files_keep_defaults(text, check):
    assert check(c.load_rules(text))


def test_rules_error_lists_every_problem_in_both_languages():
    with pytest.raises(AppError) as exc:
        c.load_rules("rules:\n  behind_pace:\n    ratio: 2\n  nope: {}\nextra: 1\n")
    assert [p.line for p in exc.value.problems] == [3, 4, 5]
    assert "第 3 行" in exc.value.message("zh") and "line 5" in exc.value.message("en")


