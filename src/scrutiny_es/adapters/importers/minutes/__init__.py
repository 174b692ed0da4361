"""A meeting's minutes read into a draft of the commands they ask for: ``scrutiny-es minutes``.

``draft_minutes`` reads a .txt, .md, .docx or .pdf file, finds the meeting's date and each
minute's resolutions, and drafts a ``make_recommendation``, ``defer`` or ``reaffirm`` for each
part that asks for one; it records nothing. The wording it goes by is in ``phrases``.
"""

from scrutiny_es.adapters.importers.minutes.drafting import Draft, Drafted, KnownItem, draft_minutes, read_people

__all__ = ["Draft", "Drafted", "KnownItem", "draft_minutes", "read_people"]
