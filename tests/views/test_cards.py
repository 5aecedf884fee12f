"""Card labels: escaped, and a trailing unit in brackets kept on one line (a phone wrapped '新增存款(万 / 元)')."""
import pytest

from ui.cards import label_html
from ui.text import html_text


@pytest.mark.parametrize("text, head, unit", [
    ("新增存款(万元)", "新增存款", "(万元)"),
    ("新增存款（万元）", "新增存款", "（万元）"),
    ("New deposits (CNY 10k)", "New deposits", " (CNY 10k)"),
    ("<b>客户</b>(户)", "<b>客户</b>", "(户)"),           # both parts escaped
    ("拜访客户数", None, None),                           # no unit: as it is
    ("(万元)", None, None),                               # only a bracket: nothing to keep apart
    ("信用卡(张) 合计", None, None),                       # the bracket is not at the end
])
def test_label_keeps_its_unit_on_one_line(text, head, unit):
    want = html_text(text) if head is None else f'{html_text(head)}<span class="mc-unit">{html_text(unit)}</span>'
    assert label_html(text) == want
    assert "<b>" not in label_html(text)
