"""数据导入 Data import: a team lead's (or director's) uploads of daily logs, the roster and monthly targets.

Per tab: template download, file upload (several files), a *check* step (validation report, rows per sheet,
highlighted .xlsx report, what would change), then *import* — enabled only when there is no error. Below: the
import history in the caller's scope with undo (after a confirmation). All work is done by ``core.ingest`` and
``core.store``; this page only draws.
"""
from __future__ import annotations

import hashlib
import logging
import os

import pandas as pd
import streamlit as st

from core import ingest
from core.commission import effects
from core.errors import AppError
from core.store import logs as store_logs
from ui.context import get_context
from ui.uploader import uploader_texts
from ui.text import md
from views import upload_mappings

log = logging.getLogger("dashboard.upload")

KINDS = ingest.KINDS
FILE_TYPES = ["xlsx", "xls", "xlsm", "ods", "csv"]


@st.cache_data(show_spinner=False)
def _template(kind: str) -> bytes:
    return ingest.template_xlsx(kind)


def _signature(files: list[tuple[str, bytes]]) -> tuple:
    return tuple((n, hashlib.sha256(d).hexdigest()) for n, d in files)


def _problems_frame(ctx, outcome) -> pd.DataFrame:
    rows = [{ctx.t("ingest.report.col.severity"): ctx.t(f"ingest.severity.{p.severity}"),
             ctx.t("ingest.report.col.file"): p.file,
             ctx.t("ingest.report.col.sheet"): p.sheet or "",
             ctx.t("ingest.report.col.row"): p.row,
             ctx.t("ingest.report.col.column"): p.column or "",
             ctx.t("ingest.report.col.value"): p.value or "",
             ctx.t("ingest.report.col.message"): p.message(ctx.lang)}
            for p in sorted(outcome.problems, key=lambda p: (p.severity != "error", p.file, p.sheet or "",
                                                              p.row or 0))]
    return pd.DataFrame(rows)


def _show_check(ctx, kind: str, files, outcome, report: bytes | None) -> None:
    n_err, n_warn = len(outcome.errors), len(outcome.warnings)
    c1, c2, c3 = st.columns(3)
    c1.metric(ctx.t("ingest.severity.error"), n_err)
    c2.metric(ctx.t("ingest.severity.warning"), n_warn)
    c3.metric(ctx.t("upload.col.rows"), outcome.rows)
    if outcome.sheet_rows:
        st.caption(ctx.t("upload.sheets_found"))
        st.dataframe(pd.DataFrame({ctx.t("upload.col.sheet"): list(outcome.sheet_rows),
                                   ctx.t("upload.col.rows"): list(outcome.sheet_rows.values())}),
                     hide_index=True, width="stretch")
    if outcome.problems:
        (st.error if n_err else st.warning)(ctx.t("upload.counts", errors=n_err, warnings=n_warn))
        st.dataframe(_problems_frame(ctx, outcome), hide_index=True, width="stretch")
        if report:
            st.download_button(ctx.t("upload.report_download"), data=report,
                               file_name=f"{kind}_problems.xlsx", key=f"upl_report_{kind}",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               icon=":material/download:")
    if outcome.ok:
        s = outcome.summary
        if not outcome.problems:
            st.success(ctx.t("upload.no_problems"))
        st.info(ctx.t("upload.preview", inserted=s.inserted, updated=s.updated, unchanged=s.unchanged))
        for sentence in outcome.change_lines(ctx.lang):   # issue 14: stored values changed / cleared / kept
            st.caption(sentence)
        for sentence in (outcome.closed_effects.sentences(ctx.lang) if outcome.closed_effects else []):
            st.warning(sentence, icon=":material/lock_clock:")   # issue 11: effect on closed (paid) periods
    else:
        st.caption(ctx.t("upload.import_disabled"))


def _render_kind(ctx, kind: str) -> None:
    ss = st.session_state
    kind_label = ctx.t(f"ingest.kind.{kind}")
    st.download_button(ctx.t("upload.template_button", kind=kind_label), data=_template(kind),
                       file_name=f"{kind}_template.xlsx", key=f"upl_tpl_{kind}",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/download:")
    uploaded = st.file_uploader(ctx.t("upload.files"), type=FILE_TYPES, accept_multiple_files=True,
                                key=f"upl_files_{kind}")
    files = [(f.name, f.getvalue()) for f in (uploaded or [])]
    sig = _signature(files)
    files = upload_mappings.effective_files(kind, sig, files)   # as corrected in the report, if it was

    done = ss.pop(f"upl_done_{kind}", None)
    if done:
        st.success(ctx.t("upload.done_named", **done))

    c1, c2 = st.columns(2)
    check = c1.button(ctx.t("upload.check"), key=f"upl_check_{kind}", disabled=not files, icon=":material/rule:")
    check = upload_mappings.recheck_requested(kind) or check     # a mapping saved or a row fixed: check again
    if check and files:
        outcome = ingest.import_files(ctx.engine, ctx.scope, kind, files, dry_run=True)
        report = ingest.problems_report_xlsx(files, outcome.problems, ctx.lang) if outcome.problems else None
        ss[f"upl_result_{kind}"] = {"sig": sig, "outcome": outcome, "report": report, "lang": ctx.lang}
    result = ss.get(f"upl_result_{kind}")
    if result and (result["sig"] != sig or not files):
        result = None
        ss.pop(f"upl_result_{kind}", None)
    if result and result["lang"] != ctx.lang and result["outcome"].problems:   # language switched: redo report
        result["report"] = ingest.problems_report_xlsx(files, result["outcome"].problems, ctx.lang)
        result["lang"] = ctx.lang
    can_import = bool(result and result["outcome"].ok)
    do_import = c2.button(ctx.t("upload.import"), key=f"upl_import_{kind}", type="primary", disabled=not can_import,
                          icon=":material/upload:")
    if not files:
        return
    if result is None:
        if ss.get(f"upl_imported_{kind}") != sig:
            st.caption(ctx.t("upload.need_check"))
        return
    if do_import and can_import:
        outcome = ingest.import_files(ctx.engine, ctx.scope, kind, files)
        if outcome.ok:
            s = outcome.summary
            ss.pop(f"upl_result_{kind}", None)
            ss[f"upl_done_{kind}"] = {"filename": md(" + ".join(n for n, _ in files)), "inserted": s.inserted,
                                      "updated": s.updated, "unchanged": s.unchanged}
            ss[f"upl_imported_{kind}"] = sig   # these files are in: the page says so, not "check first"
            st.rerun()
        st.error(ctx.t("upload.failed"))
        report = ingest.problems_report_xlsx(files, outcome.problems, ctx.lang) if outcome.problems else None
        result = {"sig": sig, "outcome": outcome, "report": report, "lang": ctx.lang}
        ss[f"upl_result_{kind}"] = result
    _show_check(ctx, kind, files, result["outcome"], result["report"])
    upload_mappings.render(ctx, kind, sig, files, result["outcome"])


# ---------------------------------------------------------------- history and undo

def _kind(ctx, kind: str) -> str:
    return ctx.t(f"ingest.kind.{kind}") if kind in KINDS else kind


def _file_label(ctx, filename: str, kind: str) -> str:
    """The file name as stored; the demo loader's batches ("demo:daily") read as demo data."""
    if isinstance(filename, str) and filename.startswith("demo:"):
        return ctx.t("upload.demo_file", kind=_kind(ctx, kind))
    return filename


def _batch_label(ctx, r) -> str:
    """A batch as users know it: when, what and which file (the store's batch number means nothing to them)."""
    when = pd.Timestamp(r.created_at).strftime("%Y-%m-%d %H:%M")
    return ctx.t("upload.batch_label", when=when, kind=_kind(ctx, r.kind), filename=_file_label(ctx, r.filename,
                                                                                                   r.kind))


def _render_history(ctx) -> None:
    ss = st.session_state
    st.subheader(ctx.t("upload.history"))
    msg = ss.pop("upl_undo_msg", None)
    if msg:
        st.success(msg)
    hist = store_logs.list_imports(ctx.engine, ctx.scope)
    if hist.empty:
        st.info(ctx.t("upload.history_empty"))
        return
    cols = ["created_at", "kind", "filename", "username", "inserted", "updated", "unchanged", "status"]
    view = hist[cols].copy()
    view["filename"] = [_file_label(ctx, f, k) for f, k in zip(hist["filename"], hist["kind"])]
    view["kind"] = view["kind"].map(lambda k: _kind(ctx, k))
    view["status"] = view["status"].map(lambda s: ctx.t(f"upload.status.{s}") if s in ("done", "undone") else s)
    view["created_at"] = pd.to_datetime(view["created_at"]).dt.strftime("%Y-%m-%d %H:%M")
    view.columns = [ctx.t(f"upload.col.{c}") for c in cols]
    st.dataframe(view, hide_index=True, width="stretch")

    open_ = hist[hist["status"] == "done"]
    if open_.empty:
        st.caption(ctx.t("upload.nothing_to_undo"))
        return
    labels = {int(r.id): _batch_label(ctx, r) for r in open_.itertuples()}
    pick = st.selectbox(ctx.t("upload.undo_pick"), list(labels), format_func=lambda i: labels[i], key="upl_undo_pick")
    if st.button(ctx.t("upload.undo"), key="upl_undo", icon=":material/undo:"):
        ss["upl_undo_confirm"] = pick
    pending = ss.get("upl_undo_confirm")
    if pending is None:
        return
    if pending not in labels:
        ss.pop("upl_undo_confirm", None)
        return
    st.warning(ctx.t("upload.undo_confirm_named", label=md(labels[pending])))
    try:   # issue 11: what the undo does to closed (paid) periods, said before it runs
        for sentence in effects.undo_effects(ctx.engine, ctx.scope, int(pending)).sentences(ctx.lang, "undo"):
            st.warning(sentence, icon=":material/lock_clock:")
    except AppError as exc:   # the undo would be refused: say why now (the button reports it again)
        st.error(ctx.t("upload.undo_refused", detail=exc.message(ctx.lang)))
    c1, c2 = st.columns(2)
    if c1.button(ctx.t("upload.undo_yes"), key="upl_undo_yes", type="primary"):
        ss.pop("upl_undo_confirm", None)
        try:
            s = store_logs.undo_import(ctx.engine, ctx.scope, int(pending))
        except AppError as exc:   # a refusal (ScopeError) or a store error, in the reader's language
            st.error(ctx.t("upload.undo_refused", detail=exc.message(ctx.lang)))
            return
        ss["upl_undo_msg"] = ctx.t("upload.undone_named", label=md(labels[pending]), restored=s.updated,
                                   removed=s.inserted)
        st.rerun()
    if c2.button(ctx.t("upload.undo_cancel"), key="upl_undo_cancel"):
        ss.pop("upl_undo_confirm", None)
        st.rerun()


def main() -> None:
    ctx = get_context()
    st.title(ctx.t("upload.title"))
    if not ctx.scope.may_import:
        st.info(ctx.t("upload.manager_only"))
        return
    st.caption(ctx.t("upload.intro"))
    uploader_texts(ctx)
    try:
        tabs = st.tabs([ctx.t(f"upload.tab.{k}") for k in KINDS])
        for kind, tab in zip(KINDS, tabs):
            with tab:
                _render_kind(ctx, kind)
        st.divider()
        _render_history(ctx)
        upload_mappings.render_saved(ctx)
    except AppError as exc:
        st.error(ctx.t("upload.error", detail=exc.message(ctx.lang)))
    except Exception as exc:
        if os.environ.get("DASH_RAISE") == "1":
            raise
        log.exception("upload page failed")
        st.error(ctx.t("error.unexpected", detail=type(exc).__name__))


main()
