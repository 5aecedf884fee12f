"""Charts as PNG images: :func:`chart_png` renders an Altair chart with vl-convert and a CJK font (WenQuanYi
Micro Hei from Debian's ``fonts-wqy-microhei``, or Noto Sans CJK from ``fonts-noto-cjk``; ``DASH_CJK_FONT_DIR``
may point at another directory). Failures raise :class:`core.errors.AppError` (``report.no_cjk_font``,
``report.chart_failed``)."""
from __future__ import annotations

import os
from pathlib import Path

from core.errors import AppError

FONT_DIRS = ("/usr/share/fonts/truetype/wqy", "/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto",
             "/usr/share/fonts/opentype/noto-cjk", "/usr/share/fonts/truetype/arphic")

FONT_FAMILIES = {"wqy": "WenQuanYi Micro Hei", "noto": "Noto Sans CJK SC", "arphic": "AR PL UMing CN"}

_REGISTERED: dict[str, str] = {}


def cjk_font() -> tuple[str, str]:
    """(directory, family) of an installed CJK font, registered with vl-convert once per process."""
    if "family" in _REGISTERED:
        return _REGISTERED["dir"], _REGISTERED["family"]
    candidates = [os.environ["DASH_CJK_FONT_DIR"]] if os.environ.get("DASH_CJK_FONT_DIR") else []
    candidates += list(FONT_DIRS)
    for d in candidates:
        p = Path(d)
        if not p.is_dir() or not any(p.rglob("*.tt[cf]")) and not any(p.rglob("*.otf")):
            continue
        family = next((fam for key, fam in FONT_FAMILIES.items() if key in str(p).lower()),
                      os.environ.get("DASH_CJK_FONT_FAMILY", FONT_FAMILIES["wqy"]))
        import vl_convert as vlc  # heavy (a JS engine): loaded only when a chart image is asked for
        vlc.register_font_directory(str(p))
        _REGISTERED.update(dir=str(p), family=family)
        return str(p), family
    raise AppError("report.no_cjk_font")


def chart_png(chart, scale: float = 2) -> bytes:
    """An Altair chart (or a Vega-Lite dict) as PNG bytes, with a CJK font so Chinese labels render.

    Charts sized to the container (``width='container'``) get a fixed width of 800 px for the image.
    """
    import vl_convert as vlc  # heavy (a JS engine): loaded only when a chart image is asked for
    _, family = cjk_font()
    spec = chart.to_dict() if hasattr(chart, "to_dict") else dict(chart)
    spec = _fixed_width(spec)
    try:
        return vlc.vegalite_to_png(spec, scale=scale, config={"font": family})
    except Exception as exc:  # vl-convert raises ValueError with the Vega message
        raise AppError("report.chart_failed", detail=str(exc)[:200]) from exc


def _fixed_width(spec: dict, width: int = 800) -> dict:
    def fix(node):
        if isinstance(node, dict):
            out = {k: fix(v) for k, v in node.items() if k != "datasets"}
            if node.get("width") == "container":
                out["width"] = width
            if "datasets" in node:
                out["datasets"] = node["datasets"]
            return out
        if isinstance(node, list):
            return [fix(x) for x in node]
        return node
    return fix(spec)


def png_exports(charts: list[tuple[str, object]], scale: float = 2) -> list[tuple[str, bytes]]:
    """Render several (caption, chart) pairs: [(caption, PNG bytes)]."""
    return [(caption, chart_png(c, scale)) for caption, c in charts]
