"""The meeting pack as a file: its standing item (``formats.pack``) laid out as Markdown, HTML or Word."""

from __future__ import annotations

from scrutiny_es.adapters.extras import need
from scrutiny_es.adapters.formats.furniture import Furniture
from scrutiny_es.adapters.formats.pack import Pack, PackFormat, standing_item
from scrutiny_es.adapters.formats.pack_html import pack_html
from scrutiny_es.adapters.formats.pack_markdown import pack_markdown


def render_pack(
    pack: Pack, fmt: PackFormat, furniture: Furniture | None = None, seal_note: bool = False
) -> str | bytes:
    """The pack as Markdown or HTML text, or a Word document's bytes."""
    item = standing_item(pack, furniture, seal_note)
    if fmt == "md":
        return pack_markdown(item)
    if fmt == "html":
        return pack_html(item)
    need("office", "docx")
    from scrutiny_es.adapters.formats.word import pack_docx  # python-docx: loaded for a Word pack only

    return pack_docx(item)
