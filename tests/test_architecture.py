"""The architecture the README promises: core never imports Streamlit; pages hold no SQL."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module.split(".")[0])
    return out


@pytest.mark.parametrize("path", sorted((ROOT / "core").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_never_imports_streamlit(path):
    assert "streamlit" not in _imports(path)


@pytest.mark.parametrize("path", sorted((ROOT / "views").glob("*.py")) + sorted((ROOT / "ui").glob("*.py")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_pages_do_not_speak_sql(path):
    mods = _imports(path)
    assert "sqlalchemy" not in mods or path.name in ("context.py",), f"{path.name} imports sqlalchemy"


def test_every_routed_page_exists():
    import re
    src = (ROOT / "app.py").read_text(encoding="utf-8")
    routed = re.findall(r'^\s+\("(views/\w+\.py)", "page\.', src, flags=re.M)
    assert len(routed) == 7
    for page in routed:
        assert (ROOT / page).exists(), page
