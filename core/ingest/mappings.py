"""Uploads that remember: a header the schema does not know (``本周走访数``, ``ETC``, ``信用卡(张)新``), read as a
canonical field — or ignored — because a team lead (for his team) or a director (for his team or the whole
branch) said so once.

A mapping is stored with the header folded the way :func:`core.schema.match_header` folds headers
(:func:`header_key`: NFKC, lower case, a bracketed part dropped, no spaces between Chinese characters), so
``本周走访数``, ``本周走访数 `` and ``本周走访数(户)`` are the same header, and a unit in brackets still counts:
``日均存款(亿元)`` mapped to 存款余额 is read in 亿元.

When a daily log is checked, :func:`saved_for` gives :func:`core.ingest.locate.locate` the mappings in force for
the uploader — his team's first, then the branch-wide ones (a director uploads with the branch-wide ones).
A header the schema knows is never remapped. Each column read through a mapping is recorded
(:class:`MappedColumn`: "mapped by your saved mapping"), as are the fields each sheet's columns were read as,
so that a new mapping to a field the file already has is refused (:func:`save_choices`).

Who may save: a team lead for his own team, a director for any team or branch-wide, a manager none
(:meth:`core.scope.Scope.check_team`, :attr:`core.scope.Scope.may_configure`). Every change is audited
(``mapping_save`` / ``mapping_remove``).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from core.errors import AppError, ScopeError
from core.i18n import t
from core.ingest.locate import INDEXES
from core.ingest.problems import field_label
from core.schema import Field, match_header, split_header
from core.scope import Scope
from core.store import mappings as store

IGNORE = "ignore"
MAPPABLE = ("daily",)            # the kinds whose unknown columns may be mapped
MAX_HEADER = 200
# What a column mapped to "ignore" is read as while the header row is looked for (a known header of the sheet).
_IGNORED = Field(IGNORE, "text", "忽略", "Ignore")


def header_key(text: object) -> str:
    """A header folded as the schema matches headers: ``信用卡(张)新`` → ``信用卡新``, ``ETC`` → ``etc``."""
    return split_header(text)[0]


def fields_of(kind: str) -> list[str]:
    """The canonical fields a column of an upload of `kind` may be read as, in the schema's order."""
    out: list[str] = []
    for f in INDEXES[kind].values():
        if f.name not in out:
            out.append(f.name)
    return out


def choices_of(kind: str) -> list[str]:
    """What an unknown column may be mapped to: each field of `kind`, then "ignore"."""
    return fields_of(kind) + [IGNORE]


def choice_label(name: str, lang: str = "zh") -> str:
    """How a mapping target reads: the field's header (with its unit), or 忽略此列 / Ignore this column."""
    return t("mappings.ignore", lang) if name == IGNORE else field_label(name, lang)


@dataclass(frozen=True)
class _Label:
    """A field name rendered as its label in the reader's language (a message parameter)."""
    name: str

    def message(self, lang: str = "zh") -> str:
        return choice_label(self.name, lang)


def whose(team: str | None, lang: str = "zh") -> str:
    """Whose mapping: 团队 对公一队 / team 对公一队, or 全行 / branch-wide."""
    return t("mappings.whose_team", lang, team=team) if team else t("mappings.whose_branch", lang)


@dataclass(frozen=True)
class Mapping:
    """A stored mapping: `field` is a canonical field name or "ignore"; `team` None is branch-wide."""
    id: int
    kind: str
    team: str | None
    header: str
    header_text: str
    field: str
    created_by: str
    created_at: object

    def whose(self, lang: str = "zh") -> str:
        return whose(self.team, lang)

    def as_dict(self, lang: str = "zh") -> dict:
        return {"id": self.id, "kind": self.kind, "team": self.team, "header": self.header_text,
                "field": self.field, "field_label": choice_label(self.field, lang), "scope": self.whose(lang),
                "created_by": self.created_by, "created_at": str(self.created_at)}


@dataclass(frozen=True)
class MappedColumn:
    """A column of an upload read through a saved mapping (its header as written, where, and what it became)."""
    file: str
    sheet: str | None
    row: int                       # Excel row of the header
    column: str
    col_index: int
    field: str                     # a field name, or "ignore"
    team: str | None               # whose mapping: the team, or None for branch-wide

    @property
    def ignored(self) -> bool:
        return self.field == IGNORE

    def where(self) -> str:
        return self.file if self.sheet is None else f"{self.file} › {self.sheet}"

    def message(self, lang: str = "zh") -> str:
        key = "mappings.applied_ignore" if self.ignored else "mappings.applied"
        return t(key, lang, column=self.column, field=choice_label(self.field, lang),
                 whose=whose(self.team, lang))


@dataclass
class SavedMappings:
    """The mappings in force for one upload, and what they did to it (filled in by ``locate``)."""
    kind: str
    rules: dict[str, Mapping] = field(default_factory=dict)       # header key → the rule in force
    applied: list[MappedColumn] = field(default_factory=list)
    fields_seen: dict[tuple[str, str | None], set[str]] = field(default_factory=dict)

    def index(self, base: dict[str, Field]) -> dict[str, Field]:
        """`base` (the schema's aliases) plus every saved header; the schema's own aliases win."""
        by_name = {f.name: f for f in base.values()}
        extra = {k: by_name.get(m.field, _IGNORED) for k, m in self.rules.items()
                 if m.field == IGNORE or m.field in by_name}
        return {**extra, **base}

    def lookup(self, text: object, base: dict[str, Field]) -> Mapping | None:
        """The saved mapping a header is read through, None when the schema knows it or nothing is saved."""
        if not self.rules or not isinstance(text, str) or match_header(text, base)[0] is not None:
            return None
        return match_header(text, self.rules)[0]

    def seen(self, file: str, sheet: str | None, header_row: int, j: int, text: str, raw: object,
             f: Field, base: dict[str, Field]) -> Field | None:
        """Called by ``locate`` for each known column: records a column read through a saved mapping and returns
        the field it is read as (None for a column to ignore)."""
        rule = self.lookup(raw, base)
        if rule is None:
            return f
        self.applied.append(MappedColumn(file, sheet, header_row + 1, text, j, rule.field, rule.team))
        return None if rule.field == IGNORE else f

    def is_mapped(self, file: str, sheet: str | None, *cols: int) -> bool:
        return any(m.file == file and m.sheet == sheet and m.col_index in cols for m in self.applied)


def _mapping(row: dict) -> Mapping:
    return Mapping(int(row["id"]), row["kind"], row["team"], row["header"], row["header_text"], row["field"],
                   row["created_by"], row["created_at"])


def saved_for(engine: Engine, scope: Scope, kind: str) -> SavedMappings:
    """The mappings an upload of `kind` by `scope` is read with: branch-wide, then his team's over them."""
    if kind not in MAPPABLE or not scope.may_import:
        return SavedMappings(kind)
    team = scope.home_team()
    rows = store.read_mappings(engine, kind, teams=[team] if team else [], branch=True)
    rules: dict[str, Mapping] = {}
    for r in sorted(rows, key=lambda r: r["team"] is not None):     # branch-wide first, the team's win
        rules[r["header"]] = _mapping(r)
    return SavedMappings(kind, rules)


# ---------------------------------------------------------------- listing and removing

def _check_may_save(scope: Scope, team: str | None) -> None:
    if team is None:
        if not scope.may_configure:
            raise ScopeError("mappings.branch_directors_only")
        return
    scope.check_team(team)


def team_choices(engine: Engine, scope: Scope) -> list[str | None]:
    """Where `scope` may save a mapping: a director branch-wide (None) or for any team, a team lead his team."""
    if scope.may_configure:
        return [None, *sorted(store.known_teams(engine))]
    if scope.may_import and scope.home_team():
        return [scope.home_team()]
    return []


def list_mappings(engine: Engine, scope: Scope, kind: str | None = None) -> list[Mapping]:
    """The mappings `scope` sees: a director all, a team lead his team's and the branch-wide ones."""
    if not scope.may_import:
        raise ScopeError("mappings.not_allowed")
    if scope.sees_branch:
        rows = store.read_mappings(engine, kind, teams=None, branch=True)
    else:
        rows = store.read_mappings(engine, kind, teams=[scope.home_team()], branch=True)
    return [_mapping(r) for r in rows]


def may_remove(scope: Scope, m: Mapping) -> bool:
    try:
        _check_may_save(scope, m.team)
    except ScopeError:
        return False
    return True


def remove_mapping(engine: Engine, scope: Scope, mapping_id: int) -> Mapping:
    """Remove one mapping (audited). Another team's mapping reads as not found to a team lead."""
    row = store.get_mapping(engine, mapping_id)
    if row is None or (row["team"] is not None and not scope.sees_branch and row["team"] != scope.home_team()):
        raise AppError("mappings.not_found", id=mapping_id)
    m = _mapping(row)
    _check_may_save(scope, m.team)
    if not store.delete_mapping(engine, scope.username, row):
        raise AppError("mappings.not_found", id=mapping_id)
    return m


# ---------------------------------------------------------------- saving

@dataclass(frozen=True)
class Choice:
    """A person's answer for one unknown header: read it as `field` (or "ignore")."""
    header_text: str
    field: str


def _check(kind: str, c: Choice, present: set[str], chosen: dict[str, str], problems: list) -> dict | None:
    text = " ".join(str(c.header_text or "").split())      # as written, spaces collapsed
    key = header_key(c.header_text)
    if not key:
        problems.append(AppError("mappings.empty_header", header=c.header_text or ""))
        return None
    if len(text) > MAX_HEADER:
        problems.append(AppError("mappings.header_too_long", header=text[:40] + "…", limit=MAX_HEADER))
        return None
    known, _ = match_header(c.header_text, INDEXES[kind])
    if known is not None:
        problems.append(AppError("mappings.header_known", header=c.header_text, field=_Label(known.name)))
        return None
    if c.field not in choices_of(kind):
        problems.append(AppError("mappings.bad_field", header=c.header_text, field=c.field,
                                 allowed=", ".join(choices_of(kind))))
        return None
    if c.field != IGNORE and c.field in present:
        problems.append(AppError("mappings.field_in_file", header=c.header_text, field=_Label(c.field)))
        return None
    if c.field != IGNORE and c.field in chosen:
        problems.append(AppError("mappings.same_field_twice", header=c.header_text, other=chosen[c.field],
                                 field=_Label(c.field)))
        return None
    if c.field != IGNORE:
        chosen[c.field] = c.header_text
    return {"kind": kind, "header": key, "header_text": text, "field": c.field}


def save_choices(engine: Engine, scope: Scope, kind: str, choices: Iterable[Choice], team: str | None,
                 present: dict[str, set[str]] | None = None) -> list[Mapping]:
    """Validate and store mappings for `team` (None: branch-wide) — all of them or none.

    `present` gives, per header key, the fields the sheets holding that header already have (see
    :func:`present_fields`): a mapping to one of them is refused. Raises ScopeError (not allowed) or AppError
    ``mappings.invalid`` with one problem per refused choice.
    """
    _check_may_save(scope, team)
    if kind not in MAPPABLE:
        raise AppError("mappings.kind_not_mappable", kind=kind)
    if team is not None and team not in store.known_teams(engine):
        raise AppError("mappings.unknown_team", team=team)
    choices = list(choices)
    if not choices:
        raise AppError("mappings.nothing_chosen")
    problems: list = []
    rows, chosen, keys = [], {}, set()
    for c in choices:
        key = header_key(c.header_text)
        if key in keys:
            continue   # the same header on two sheets: one mapping
        keys.add(key)
        row = _check(kind, c, (present or {}).get(key, set()), chosen, problems)
        if row is not None:
            rows.append({**row, "team": team})
    if problems:
        raise AppError("mappings.invalid", problems)
    ids = store.save_mappings(engine, scope.username, rows)
    return [Mapping(i, r["kind"], team, r["header"], r["header_text"], r["field"], scope.username, None)
            for i, r in zip(ids, rows)]


def add_mapping(engine: Engine, scope: Scope, header_text: str, field_name: str, team: str | None,
                kind: str = "daily") -> Mapping:
    """One mapping, as the CLI adds it (no file at hand: nothing is 'already in the file')."""
    return save_choices(engine, scope, kind, [Choice(header_text, field_name)], team)[0]


# ---------------------------------------------------------------- what an upload's report offers

@dataclass(frozen=True)
class UnknownColumn:
    """A header of an upload the schema does not know, and the sheets it is on."""
    header_text: str
    key: str
    sheets: tuple[tuple[str, str | None], ...]


def unknown_columns(outcome) -> list[UnknownColumn]:
    """The unknown headers of a checked upload (an :class:`core.ingest.problems.ImportOutcome`), once each, in
    the order they were found — only for kinds whose columns may be mapped."""
    if outcome.kind not in MAPPABLE:
        return []
    found: dict[str, tuple[str, list]] = {}
    for p in outcome.problems:
        if p.code != "ingest.unknown_column" or not p.column:
            continue
        key = header_key(p.column)
        if not key:
            continue
        text, sheets = found.setdefault(key, (p.column, []))
        if (p.file, p.sheet) not in sheets:
            sheets.append((p.file, p.sheet))
    return [UnknownColumn(text, key, tuple(sheets)) for key, (text, sheets) in found.items()]


def present_fields(outcome) -> dict[str, set[str]]:
    """Per unknown header key, the fields the sheets holding it already read (a mapping to them is refused)."""
    saved = getattr(outcome, "mappings", None)
    seen = saved.fields_seen if saved is not None else {}
    return {u.key: set().union(*(seen.get(s, set()) for s in u.sheets)) for u in unknown_columns(outcome)}


def applied_columns(outcome) -> list[MappedColumn]:
    """The columns of a checked upload that were read through a saved mapping."""
    saved = getattr(outcome, "mappings", None)
    return list(saved.applied) if saved is not None else []
