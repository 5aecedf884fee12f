"""Settings → coaching rules (辅导规则): a director edits the rules YAML; it is validated before it is stored.

``render(ctx)`` is called by views/settings.py. The text is stored through :func:`core.coaching.save_rules`
(validated, director only, audited); without a stored text the documented defaults
(sample_data/coaching_rules.yaml) are in force.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core import coaching
from core.errors import AppError

_KEY = "set_rules_text"


def _problems(ctx, exc: AppError) -> None:
    lines = exc.messages(ctx.lang) or [exc.headline(ctx.lang)]
    st.error(ctx.t("coaching.settings.invalid") + "\n\n" + "\n".join(f"- {m}" for m in lines))


def _summary(ctx, rules: coaching.Rules) -> None:
    st.markdown(f"**{ctx.t('coaching.settings.summary')}**")
    rows = []
    for rid in coaching.RULE_IDS:
        p = rules.rules[rid]
        params = ", ".join(f"{k}={'[' + ', '.join(v) + ']' if isinstance(v, list) else _yes_no(ctx, v)}"
                           for k, v in p.items() if k not in ("enabled", "severity", "focus", "metrics"))
        rows.append({"rule": f"{ctx.t(f'coaching.rule.{rid}')} ({rid})", "enabled": bool(p["enabled"]),
                     "severity": ctx.t(f"coaching.severity.{p['severity']}"),
                     "focus": ctx.t(f"coaching.ksa.{p['focus']}"), "params": params})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config={
        "rule": ctx.t("coaching.settings.header"),
        "enabled": st.column_config.CheckboxColumn(ctx.t("coaching.settings.enabled")),
        "severity": ctx.t("coaching.flags.severity"),
        "focus": "KSA",
        "params": st.column_config.TextColumn(ctx.t("coaching.settings.parameters"), width="large")})


def _yes_no(ctx, v):
    """A rule parameter's value as the page says it (a YAML true/false reads 是/否, yes/no)."""
    return (ctx.t("word.yes") if v else ctx.t("word.no")) if isinstance(v, bool) else v


def render(ctx) -> None:
    st.subheader(ctx.t("coaching.settings.header"))
    st.caption(ctx.t("coaching.settings.caption"))
    if not ctx.scope.may_configure:
        st.info(ctx.t("coaching.settings.director_only"))
        return
    st.caption(ctx.t("coaching.settings.source_stored" if coaching.rules_stored(ctx.engine)
                     else "coaching.settings.source_default"))
    notice = st.session_state.pop("set_rules_notice", None)
    if notice:
        st.success(notice)
    if _KEY not in st.session_state:
        st.session_state[_KEY] = coaching.active_rules_text(ctx.engine)
    text = st.text_area(ctx.t("coaching.settings.editor"), key=_KEY, height=480)
    c1, c2, c3 = st.columns(3)
    validate = c1.button(ctx.t("coaching.settings.validate"), key="set_rules_validate")
    save = c2.button(ctx.t("coaching.settings.save"), type="primary", key="set_rules_save")
    reset = c3.button(ctx.t("coaching.settings.reset"), key="set_rules_reset")
    try:
        if reset:
            coaching.reset_rules(ctx.engine, ctx.scope)
            del st.session_state[_KEY]
            st.session_state["set_rules_notice"] = ctx.t("coaching.settings.reset_done")
            st.rerun()
        if save:
            coaching.save_rules(ctx.engine, ctx.scope, text)
            st.session_state["set_rules_notice"] = ctx.t("coaching.settings.saved")
            st.rerun()
        rules = coaching.load_rules(text)
        if validate:
            st.success(ctx.t("coaching.settings.valid"))
        _summary(ctx, rules)
    except AppError as exc:
        if exc.key == "coaching.rules.invalid":
            _problems(ctx, exc)
        else:
            st.error(exc.message(ctx.lang))
