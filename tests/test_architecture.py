"""The architecture the README promises, checked on the source: layers, cycles, sizes, one place for roles.

* core never imports Streamlit; pages hold no SQL;
* core/store imports nothing from the domain (only the store itself, scope, errors, schema, convert);
* no import cycle between core modules (module-level imports, submodules resolved);
* no function-level import without a comment saying why;
* no module over 500 lines; a package's ``__init__`` only re-exports;
* roles are compared only in core/scope.py; pages never show ``str(exc)`` to a person.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "core"
ROLES = {"director", "team_lead", "manager"}
MAX_LINES = 500
STORE_MAY_IMPORT = ("core.store", "core.scope", "core.errors", "core.schema", "core.convert")

CORE_FILES = sorted(p for p in CORE.rglob("*.py") if "migrations" not in p.parts)
APP_FILES = [ROOT / "app.py", *sorted((ROOT / "views").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]
ALL_FILES = CORE_FILES + APP_FILES


def _rel(p: Path) -> str:
    return str(p.relative_to(ROOT))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _resolve_from(path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = _module_name(path).split(".")
    if not _is_package(path):
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imported_modules(path: Path, tree: ast.AST, known: set[str], top_level_only: bool) -> set[str]:
    """Modules `path` imports (full dotted names; `from pkg import sub` counts as pkg.sub when sub is a module)."""
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    out: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            mod = _resolve_from(path, node)
            for a in node.names:
                sub = f"{mod}.{a.name}"
                out.add(sub if sub in known else mod)
    return out


def _top(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


# ---------------------------------------------------------------- layers

@pytest.mark.parametrize("path", CORE_FILES, ids=_rel)
def test_core_never_imports_streamlit(path):
    assert "streamlit" not in _top(_imported_modules(path, _tree(path), set(), top_level_only=False))


@pytest.mark.parametrize("path", APP_FILES, ids=_rel)
def test_pages_do_not_speak_sql(path):
    mods = _top(_imported_modules(path, _tree(path), set(), top_level_only=False))
    assert "sqlalchemy" not in mods, f"{path.name} imports sqlalchemy"


@pytest.mark.parametrize("path", sorted((CORE / "store").rglob("*.py")), ids=_rel)
def test_store_imports_nothing_from_the_domain(path):
    mods = _imported_modules(path, _tree(path), set(), top_level_only=False)
    domain = sorted(m for m in mods if m.startswith("core") and not m.startswith(STORE_MAY_IMPORT))
    assert not domain, f"{_rel(path)} imports the domain: {domain}"


def test_no_import_cycle_in_core():
    known = {_module_name(p) for p in CORE_FILES}
    graph = {}
    for p in CORE_FILES:
        deps = _imported_modules(p, _tree(p), known, top_level_only=True)
        graph[_module_name(p)] = sorted(d for d in deps if d in known and d != _module_name(p))
    # Tarjan's strongly connected components: any component of more than one module is a cycle.
    index, low, stack, on, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not cycles, f"import cycles: {cycles}"


@pytest.mark.parametrize("path", ALL_FILES, ids=_rel)
def test_function_level_imports_say_why(path):
    src = path.read_text(encoding="utf-8").splitlines()
    tree = _tree(path)
    top = set(map(id, tree.body))
    bare = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in top:
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                continue
            line = src[node.lineno - 1]
            above = src[node.lineno - 2] if node.lineno > 1 else ""
            if "#" not in line and not above.strip().startswith("#"):
                bare.append(node.lineno)
    # try/except ImportError at module level is still module level: only nested imports without a reason fail
    nested = [n for n in bare if not _in_module_level_try(tree, n)]
    assert not nested, f"{_rel(path)}: imports inside functions without a comment at lines {nested}"


def _in_module_level_try(tree: ast.Module, lineno: int) -> bool:
    for node in tree.body:
        if isinstance(node, ast.Try) and node.lineno <= lineno <= (node.end_lineno or node.lineno):
            return True
    return False


# ---------------------------------------------------------------- sizes and packages

@pytest.mark.parametrize("path", ALL_FILES, ids=_rel)
def test_modules_stay_small(path):
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"{_rel(path)} has {n} lines (split it by concept)"


@pytest.mark.parametrize("path", [p for p in CORE_FILES if _is_package(p)], ids=_rel)
def test_package_init_only_reexports(path):
    tree = _tree(path)
    for i, node in enumerate(tree.body):
        if i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue   # the docstring
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["__all__"]:
            continue
        pytest.fail(f"{_rel(path)} line {node.lineno}: a package __init__ only re-exports")


# ---------------------------------------------------------------- roles and errors

def _is_role(op: ast.AST) -> bool:
    """`x.role`, `role`, `x["role"]` — what holds a role (a manager's *level* named "manager" is not one)."""
    if isinstance(op, ast.Attribute):
        return op.attr == "role"
    if isinstance(op, ast.Name):
        return op.id == "role"
    if isinstance(op, ast.Subscript):
        return isinstance(op.slice, ast.Constant) and op.slice.value == "role"
    return False


def _role_comparisons(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        if not any(_is_role(op) for op in operands):
            continue
        consts = set()
        for op in operands:
            if isinstance(op, ast.Constant) and isinstance(op.value, str):
                consts.add(op.value)
            elif isinstance(op, (ast.Tuple, ast.List, ast.Set)):
                consts |= {e.value for e in op.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
        if consts & ROLES:
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("path", [p for p in ALL_FILES if p != CORE / "scope.py"], ids=_rel)
def test_roles_are_compared_only_in_scope(path):
    found = _role_comparisons(_tree(path))
    assert not found, f"{_rel(path)} compares role strings at lines {found}; ask core.scope instead"


@pytest.mark.parametrize("path", APP_FILES, ids=_rel)
def test_pages_never_show_str_of_an_exception(path):
    tree = _tree(path)
    handlers = {h.name for h in ast.walk(tree) if isinstance(h, ast.ExceptHandler) and h.name}
    bad = [n.lineno for n in ast.walk(tree)
           if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "str"
           and len(n.args) == 1 and isinstance(n.args[0], ast.Name) and n.args[0].id in handlers]
    assert not bad, f"{_rel(path)} shows str(exc) at lines {bad}: use exc.message(ctx.lang)"


def test_one_error_type():
    """Every exception class under core/ is core.errors.AppError or ScopeError (private control flow excepted)."""
    found = []
    for p in CORE_FILES:
        for node in ast.walk(_tree(p)):
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                if any(b.endswith(("Error", "Exception")) for b in bases) and p != CORE / "errors.py":
                    found.append(f"{_rel(p)}:{node.name}")
    assert not found, f"error classes besides core.errors.AppError: {found}"


def test_every_routed_page_exists():
    import re
    src = (ROOT / "app.py").read_text(encoding="utf-8")
    routed = re.findall(r'^\s+\("(views/\w+\.py)", "page\.', src, flags=re.M)
    assert len(routed) == 8   # the seven routines and settings pages, and the manager profile
    for page in routed:
        assert (ROOT / page).exists(), page


def test_checks_can_fail():
    """The detectors above find what they look for (so a green run means something)."""
    tree = ast.parse("if scope.role == 'manager':\n    pass\nx = role in ('director', 'team_lead')\n"
                     "y = df['level'] == 'manager'\nz = u['role'] != 'director'\n")
    assert _role_comparisons(tree) == [1, 3, 5]
    fake = ROOT / "core" / "store" / "fake.py"
    mods = _imported_modules(fake, ast.parse("from core.commission import plan\nfrom . import tables\n"),
                             {"core.commission.plan", "core.store.tables"}, top_level_only=True)
    assert mods == {"core.commission.plan", "core.store.tables"}
