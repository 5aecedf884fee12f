"""Data commands: import / roster / targets / undo / export / template.

    python -m core import FILE... [--dry-run]      daily logs
    python -m core roster FILE... [--dry-run]
    python -m core targets FILE... [--dry-run]
    python -m core undo IMPORT_ID [--dry-run]       what it does to closed periods; --dry-run writes nothing
    python -m core export [--from DATE] [--to DATE] [--team NAME] [OUT.xlsx|OUT.csv]
    python -m core template daily|roster|targets OUT.xlsx
    python -m core import-limits [FILE.yaml]        the hard range of each daily field; FILE sets them (director)

Exit codes: 0 success; 1 when errors stopped an import (every problem is reported) or the store refused.
With --json the output is one JSON document (import: the summary and every problem; export without OUT: the
array of rows).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from core import export, ingest
from core.errors import AppError
from core.i18n import t
from core.ingest import ranges
from core.ingest.problems import field_label
from core.ingest.readers import parse_date
from core.commission.effects import undo_effects
from core.store.logs import undo_import


def register(sub) -> None:
    for name, kind, help_ in (("import", "daily", "validate and store daily logs (日报)"),
                              ("roster", "roster", "validate and store the roster (花名册)"),
                              ("targets", "targets", "validate and store monthly targets (目标分解)")):
        p = sub.add_parser(name, help=help_)
        p.add_argument("files", nargs="+", metavar="FILE", help=".xlsx / .xlsm / .xls / .ods / .csv")
        p.add_argument("--dry-run", action="store_true", help="validate and count, write nothing")
        p.add_argument("--report", metavar="OUT.xlsx", default=None,
                       help="write the problem report (cells highlighted) to this file when there are problems")
        p.set_defaults(func=cmd_import, kind=kind)

    p = sub.add_parser("undo", help="undo an import (restore what it changed)")
    p.add_argument("import_id", type=int, metavar="IMPORT_ID")
    p.add_argument("--dry-run", action="store_true",
                   help="say what the undo would do (closed_period_effects), write nothing")
    p.set_defaults(func=cmd_undo)

    p = sub.add_parser("export", help="export stored daily rows (canonical names, storage units)")
    p.add_argument("--from", dest="start", type=_date, default=None, metavar="DATE")
    p.add_argument("--to", dest="end", type=_date, default=None, metavar="DATE")
    p.add_argument("--team", default=None, metavar="NAME")
    p.add_argument("out", nargs="?", default=None, metavar="OUT", help=".xlsx or .csv (omit with --json)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import-limits", help="show, or set from a YAML file, the hard range of each daily field")
    p.add_argument("file", nargs="?", default=None, metavar="FILE.yaml",
                   help="field: maximum per day, e.g. visits: 500")
    p.set_defaults(func=cmd_import_limits)

    p = sub.add_parser("template", help="write a blank upload template")
    p.add_argument("kind", choices=ingest.KINDS)
    p.add_argument("out", metavar="OUT.xlsx")
    p.set_defaults(func=cmd_template)


def _date(text: str) -> dt.date:
    try:
        return parse_date(text)
    except AppError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (expected e.g. 2026-11-02)") from None


def _read(paths: list[str]) -> list[tuple[str, bytes]]:
    files = []
    for p in paths:
        path = Path(p)
        if not path.is_file():
            raise FileNotFoundError(f"no such file: {p}")
        files.append((path.name, path.read_bytes()))
    return files


def cmd_import(args, ctx) -> int:
    files = _read(args.files)
    out = ingest.import_files(ctx.engine, ctx.scope, args.kind, files, dry_run=args.dry_run)
    if args.report and out.problems:
        Path(args.report).write_bytes(ingest.problems_report_xlsx(files, out.problems, ctx.lang))
    doc = out.as_dict(ctx.lang)
    doc["dry_run"] = bool(args.dry_run)
    effects = out.closed_effects   # issue 11: what the import would do to closed (paid) periods
    doc["closed_period_effects"] = effects.to_list() if effects is not None else []
    lines = []
    for p in out.problems:
        tag = t(f"ingest.severity.{p.severity}", ctx.lang)
        lines.append(f"[{tag}] {p.where(ctx.lang)}: {p.message(ctx.lang)}")
    lines.append(t("ingest.cli.counts", ctx.lang, errors=len(out.errors), warnings=len(out.warnings)))
    if out.ok:
        s = out.summary
        key = "ingest.cli.dry_run" if args.dry_run else "ingest.cli.imported"
        lines.append(t(key, ctx.lang, import_id=s.import_id, inserted=s.inserted, updated=s.updated,
                       unchanged=s.unchanged))
        lines.extend(out.change_lines(ctx.lang))      # per column: stored values changed, cleared, kept
        lines.extend(effects.sentences(ctx.lang) if effects is not None else [])
    else:
        lines.append(t("ingest.cli.stopped", ctx.lang, errors=len(out.errors)))
    ctx.emit(doc, "\n".join(map(printable, lines)))
    return 0 if out.ok else 1


_CONTROL = {**{c: f"\\x{c:02x}" for c in (*range(0, 9), 11, 12, *range(14, 32), 127)},
            9: "\\t", 10: "\\n", 13: "\\r"}


def printable(text: str) -> str:
    """One output line with control characters escaped (a cell or file name holding ESC, NUL or a line break
    must not drive the terminal or forge output lines)."""
    return text.translate(_CONTROL)


def cmd_undo(args, ctx) -> int:
    # issue 11: what the undo does to closed (paid) periods, said before it runs (AppError → exit 1 in core.cli)
    effects = undo_effects(ctx.engine, ctx.scope, args.import_id)
    sentences = [printable(x) for x in effects.sentences(ctx.lang, "undo")]
    if args.dry_run:
        doc = {"ok": True, "dry_run": True, "import_id": args.import_id,
               "closed_period_effects": effects.to_list()}
        ctx.emit(doc, "\n".join([t("ingest.cli.undo_dry_run", ctx.lang, import_id=args.import_id), *sentences]))
        return 0
    s = undo_import(ctx.engine, ctx.scope, args.import_id)   # AppError / ScopeError → exit 1 in core.cli
    doc = {"ok": True, "dry_run": False, "import_id": args.import_id, "kind": s.kind, "restored": s.updated,
           "removed": s.inserted, "status": s.status, "closed_period_effects": effects.to_list()}
    ctx.emit(doc, "\n".join([t("ingest.cli.undone", ctx.lang, import_id=args.import_id, restored=s.updated,
                               removed=s.inserted), *sentences]))
    return 0


def cmd_export(args, ctx) -> int:
    df = export.export_logs(ctx.engine, ctx.scope, start=args.start, end=args.end, team=args.team)
    if args.out is None:
        if not ctx.json:
            print(t("ingest.cli.need_out", ctx.lang), file=sys.stderr)
            return 2
        print(json.dumps(export.frame_to_records(df), ensure_ascii=False, indent=2, default=str))
        return 0
    path = Path(args.out)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        data = export.frame_to_xlsx(df)
    elif suffix == ".csv":
        data = export.frame_to_csv(df)
    else:
        print(t("ingest.cli.bad_out", ctx.lang, path=args.out), file=sys.stderr)
        return 2
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    ctx.emit({"ok": True, "rows": len(df), "path": str(path)},
             t("ingest.cli.exported", ctx.lang, rows=len(df), path=str(path)))
    return 0


def cmd_import_limits(args, ctx) -> int:
    """Print the hard ranges in force, or validate and store FILE's (errors name their line; exit 1)."""
    if args.file:
        found = ranges.save_ranges(ctx.engine, ctx.scope, Path(args.file).read_text(encoding="utf-8"))
    else:
        found = ranges.hard_ranges(ctx.engine)
    ctx.emit(found, "\n".join(f"{field_label(k, ctx.lang)}: ±{v:,.0f}" for k, v in found.items()))
    return 0


def cmd_template(args, ctx) -> int:
    path = Path(args.out)
    if path.suffix.lower() != ".xlsx":
        print(t("ingest.cli.bad_out", ctx.lang, path=args.out), file=sys.stderr)
        return 2
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ingest.template_xlsx(args.kind))
    ctx.emit({"ok": True, "kind": args.kind, "path": str(path)}, t("ingest.cli.template", ctx.lang, path=str(path)))
    return 0
