"""The file uploader's own texts in the page's language.

Streamlit draws ``st.file_uploader``'s button ("Upload" / "Browse files"), its drop hint ("Drag and drop files
here") and its limit line ("20MB per file • XLSX, …") in English whatever the page's language, and offers no
parameter to change them. :func:`uploader_texts` restyles them through their ``data-testid`` elements: the English
text is set to font-size 0 and the catalogue's words are drawn in its place (CSS ``::after``), with the size limit
read from the server's ``server.maxUploadSize``. Call it once on a page that shows an uploader.
"""
from __future__ import annotations

import streamlit as st

from core.i18n import t


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def uploader_texts(ctx, types: str = "xlsx / xls / xlsm / ods / csv") -> None:
    mb = st.get_option("server.maxUploadSize")
    button = _css_string(t("upload.uploader.button", ctx.lang))
    hint = _css_string(t("upload.uploader.hint", ctx.lang, mb=mb, types=types))
    st.markdown(f"""<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{font-size: 0;}}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{content: {button};
  font-size: 0.875rem;}}
[data-testid="stFileUploaderDropzoneInstructions"] span, [data-testid="stFileUploaderDropzoneInstructions"] small
  {{font-size: 0;}}
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {{content: {hint}; font-size: 0.8rem;
  color: rgba(49, 51, 63, 0.6);}}
</style>""", unsafe_allow_html=True)
