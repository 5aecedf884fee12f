"""The coaching rules as configuration: the validated :class:`Rules` and the YAML text a director edits.

:func:`load_rules` reads the text with :mod:`core.config_yaml` (lines kept) and checks every key against the
parameter table of :mod:`core.coaching.rules`. Every problem (unknown rule id or key, wrong type, value out of
range, duplicate key, YAML syntax) is reported with its line and dotted path as one
``AppError("coaching.rules.invalid", problems=...)``. Keys left out keep their defaults
(``sample_data/coaching_rules.yaml`` documents them); an empty text is the defaults.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from core import config_yaml
from core.coaching.rules import FOCUS_AREAS, RULE_IDS, RULE_PARAMS, SEVERITIES, Param
from core.errors import AppError
from core.schema import TARGET_METRICS

INVALID = "coaching.rules.invalid"
SAMPLE_RULES_PATH = Path(__file__).resolve().parent.parent.parent / "sample_data" / "coaching_rules.yaml"
TOP_PARAMS: dict[str, Param] = {
    "peer_group_min_size": Param("int", 3, 1, 100),
    "history_weeks": Param("int", 8, 0, 26),
}
PRAISE_PARAMS: dict[str, Param] = {
    "top_n": Param("int", 5, 1, 50),
    "min_improvement": Param("number", 0.1, 0, 10),
}


def _default(p: Param):
    return list(p.default) if isinstance(p.default, list) else p.default


@dataclass(frozen=True)
class Rules:
    """Validated coaching rules. ``rules[rule_id]`` holds every parameter of that rule (defaults filled in)."""
    rules: dict = field(default_factory=dict)
    peer_group_min_size: int = 3
    history_weeks: int = 8
    praise_top_n: int = 5
    praise_min_improvement: float = 0.1

    @classmethod
    def default(cls) -> "Rules":
        return cls(rules={rid: {k: _default(p) for k, p in spec.items()} for rid, spec in RULE_PARAMS.items()},
                   peer_group_min_size=int(TOP_PARAMS["peer_group_min_size"].default),
                   history_weeks=int(TOP_PARAMS["history_weeks"].default),
                   praise_top_n=int(PRAISE_PARAMS["top_n"].default),
                   praise_min_improvement=float(PRAISE_PARAMS["min_improvement"].default))

    def enabled(self, rule_id: str) -> bool:
        return bool(self.rules[rule_id]["enabled"])

    def p(self, rule_id: str, name: str):
        return self.rules[rule_id][name]

    def replace(self, **changes) -> "Rules":
        """A copy with top-level fields changed and/or ``rule_id={param: value}`` overrides."""
        top = {k: v for k, v in changes.items() if k not in RULE_PARAMS}
        rules = {rid: dict(v) for rid, v in self.rules.items()}
        for rid, params in changes.items():
            if rid in RULE_PARAMS:
                rules[rid].update(params)
        return dataclasses.replace(self, rules=rules, **top)

    def to_dict(self) -> dict:
        return {"peer_group_min_size": self.peer_group_min_size, "history_weeks": self.history_weeks,
                "praise": {"top_n": self.praise_top_n, "min_improvement": self.praise_min_improvement},
                "rules": {rid: dict(v) for rid, v in self.rules.items()}}


def _value(c: config_yaml.Checker, spec: Param, node: config_yaml.Node, path: str):
    """The node's value converted to the parameter's type, or None after recording a problem."""
    k = spec.kind
    if k == "bool":
        return c.boolean(node, path)
    if k in ("severity", "focus"):
        return c.choice(node, path, SEVERITIES if k == "severity" else FOCUS_AREAS)
    if k == "metrics":
        return c.choices(node, path, TARGET_METRICS)
    d = c.number(node, path, lo=spec.lo, hi=spec.hi, lo_open=k == "ratio", integer=k == "int")
    if d is None:
        return None
    return int(d) if k == "int" else float(d)


def _mapping(c: config_yaml.Checker, parent: config_yaml.Node, key: str, path: str) -> dict | None:
    """The child mapping under `key` (None when absent or null); a non-mapping is reported on the key's line."""
    node = parent.get(key)
    if node.value is None:
        return None
    if not isinstance(node.value, dict):
        c.add(parent.key_line(key), path, "config.not_mapping")
        return None
    return node.value


def _params(c: config_yaml.Checker, node: config_yaml.Node, specs: dict[str, Param], path: str, out: dict,
            rename: dict | None = None) -> None:
    """Check each key of mapping `node` against `specs`, storing the converted values in `out`."""
    for name, child in node.value.items():
        dotted = config_yaml.join(path, name)
        if name not in specs:
            continue                                # reported by Checker.mapping
        v = _value(c, specs[name], child, dotted)
        if v is not None:
            out[(rename or {}).get(name, name)] = v


def load_rules(text: str | bytes | None) -> Rules:
    """Parse and validate a rules YAML text (see the module docstring). Raises AppError(coaching.rules.invalid)."""
    try:
        root = config_yaml.load(text or "", allow_empty=True)
    except AppError as exc:                         # syntax, duplicate keys: located problems of their own
        raise AppError(INVALID, exc.problems) from None
    if root.value is None:
        return Rules.default()
    c = config_yaml.Checker()
    if c.mapping(root, "", allowed=[*TOP_PARAMS, "praise", "rules"]) is None:
        c.raise_if_any(INVALID)
    base = Rules.default()
    top = {"peer_group_min_size": base.peer_group_min_size, "history_weeks": base.history_weeks,
           "praise_top_n": base.praise_top_n, "praise_min_improvement": base.praise_min_improvement}
    rules = {rid: dict(v) for rid, v in base.rules.items()}
    _params(c, root, TOP_PARAMS, "", top)
    if _mapping(c, root, "praise", "praise") is not None:
        praise = root.get("praise")
        c.mapping(praise, "praise", allowed=PRAISE_PARAMS)
        _params(c, praise, PRAISE_PARAMS, "praise", top,
                rename={"top_n": "praise_top_n", "min_improvement": "praise_min_improvement"})
    lines: dict[str, config_yaml.Node] = {}
    if _mapping(c, root, "rules", "rules") is not None:
        rnode = root.get("rules")
        c.mapping(rnode, "rules", allowed=RULE_IDS, key_message="coaching.rules.unknown_rule")
        for rid in RULE_IDS:
            path = f"rules.{rid}"
            if _mapping(c, rnode, rid, path) is None:
                continue
            lines[rid] = node = rnode.get(rid)
            c.mapping(node, path, allowed=RULE_PARAMS[rid])
            _params(c, node, RULE_PARAMS[rid], path, rules[rid])
    _cross_checks(c, rules, lines)
    c.raise_if_any(INVALID)
    return Rules(rules=rules, **top)


def _cross_checks(c: config_yaml.Checker, rules: dict, nodes: dict) -> None:
    """Orders between two parameters of one rule (reported on the second one's line)."""
    for rid, low, high, at in (("behind_pace", "high_ratio", "ratio", "high_ratio"),
                               ("complaints", "min_count", "high_count", "high_count")):
        if rules[rid][low] > rules[rid][high]:
            node = nodes.get(rid)
            c.add(node.key_line(at) if node is not None else None, f"rules.{rid}.{at}", "coaching.rules.order",
                  low=low, high=high)


def default_rules_text() -> str:
    """The documented default rules file (sample_data/coaching_rules.yaml)."""
    return SAMPLE_RULES_PATH.read_text(encoding="utf-8")
