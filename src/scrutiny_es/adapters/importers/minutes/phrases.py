"""The words minutes are written in: what opens a resolution, and what each kind of resolution says.

Everything the reader of minutes decides by wording is here, as plain regular expressions
(matched ignoring case unless said otherwise), so a council's own wording is added by adding a
line to the list it belongs to, without touching the reader. The first list that matches a
resolution's part decides what it becomes, in the order ``classify`` tries them: procedural,
deferral, re-affirmation, a recommendation or action, noted.
"""

from __future__ import annotations

import re

# Where the minutes are, in an agenda pack that holds other papers too.

MINUTES_HEADING = re.compile(r"^(?:draft\s+|confirmed\s+)?minutes\b(?!\s+of\s+(?:the\s+)?previous)", re.I)
"""A heading that opens a meeting's minutes: "Minutes of Safer Neighbourhoods ... Board", "Minutes - 10 April 2018"."""

MINUTES_END = re.compile(
    r"^(?:the\s+)?meeting\s+(?:ended|closed|finished|concluded|terminated)\b"
    r"|\bagenda\s+item\s+no\b|^this\s+page\s+is\s+intentionally\s+left\s+blank|^report\s+to\s+",
    re.I,
)
"""A line after which the minutes have ended: "Meeting ended at 6.51pm", the next paper of the pack."""

PAGE_FURNITURE = re.compile(r"^(?:page\s+\d+(?:\s+of\s+\d+)?|-\s*\d+\s*-)$", re.I)
"""Lines a printed page adds ("Page 5", "- 5 -"), left out wherever they fall."""

# Minutes and their numbers: "19/24 Fishing Policy", "236. Budget", "Item 12: Libraries", "6 Black Country ...".

MINUTE_NUMBER = re.compile(
    r"^(?:(?P<slash>\d{1,4}/\d{2,4})|(?:minute|item)\s+(?:no\.?\s*)?(?P<named>\d{1,4}[a-z]?)|(?P<plain>\d{1,4}))"
    r"(?:[.:)]|\s+[-–—:]|\s|$)\s*(?P<title>.*)$",
    re.I,
)

# What opens a resolution (at the start of a paragraph, after any bullet).

RESOLUTION_START = [
    r"resolved\b",
    r"recommended\b",
    r"r\s?e\s?c\s?o\s?m\s?m\s?e\s?n\s?d\s?e\s?d\b",  # "R E C O M M E N D E D", letter-spaced
    r"it\s+was\s+(?:agreed|resolved)\b",
    r"action\s*:",
    r"agreed\s*:",
    r"decision\s*:",
    r"that\b",  # a bare resolution: "That the minutes of the meeting be approved ..."
    r"the\s+(?:board|panel|committee|commission|sub-committee)\s+"
    r"(?:noted|agreed|re-?\s?affirmed|reaffirmed|resolved|recommended|requested|asked)\b",
]

RESOLUTION_LEAD = re.compile(
    r"^(?:(?:it\s+was\s+)?(?:resolved|recommended|agreed|r\s?e\s?c\s?o\s?m\s?m\s?e\s?n\s?d\s?e\s?d)"
    r"|action|decision)\s*(?:[:–—-]+\s*)*",
    re.I,
)
"""The opening words a part's text leaves out: "Resolved:-", "RECOMMENDED – T H A T", "ACTION:"."""

ACTION_LEAD = re.compile(r"^action\s*:", re.I)
"""A resolution that says it is an action; "RECOMMENDED" ones are recommendations."""

# Parts and sub-parts: "(1)", "1.", "1)", "(a)", "a.", "(i)", "i.".

PART = re.compile(
    r"^(?P<mark>\((?:\d{1,2}|[a-z]|[ivx]{1,4})\)|(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)])\s+(?P<text>\S.*)$", re.I
)
BULLET = re.compile(r"^[-•*▪◦·]\s+")

# What each part became. The first list that matches decides.

PROCEDURAL = [
    r"correct\s+record",
    r"signed\s+by\s+the\s+chair",
    r"\b(?:is|are|be|was|were)\s+(?:re-?)?appointed\b",
    r"\bappoint(?:s|ed)?\b.*\b(?:chair|vice-chair|member|members|membership)\b",
    r"\belected\b.*\bchair\b",
    r"\bwork\s+programme\b.*\b(?:approved|agreed|adopted)\b",
    r"\b(?:approve|approves|approved|agree|agrees|agreed)\b.*\bwork\s+programme\b",
    r"\bpublic\s+(?:be|are|were)\s+excluded\b",
    r"\bexclude\s+the\s+(?:press\s+and\s+)?public\b",
    r"\b(?:public|press)\s+and\s+(?:the\s+)?(?:public|press)\s+(?:be|are|were|is)\s+excluded\b",
    r"\bterms\s+of\s+reference\b.*\b(?:approved|agreed|adopted)\b",
    r"\bdates?\s+of\s+(?:future\s+)?meetings?\b.*\b(?:approved|agreed|noted)\b",
]

EXCLUSION = re.compile(
    r"\b(?:public|press)\s+(?:and\s+(?:the\s+)?(?:public|press)\s+)?(?:be|are|were|is)\s+excluded\b"
    r"|\bexclude\s+the\s+(?:press|public)\b",
    re.I,
)
"""A resolution excluding the public: the items after it, to the end of the minutes, are exempt information."""

EXEMPT_PARAGRAPH = re.compile(r"\bparagraphs?\s+(?P<paragraph>[1-7])\b(?=[^.]*\bschedule\s+12\s?a\b)", re.I)
"""The paragraph of Schedule 12A an exclusion relies on: "(Paragraph 3 of Part 1 of Schedule 12A ...)"."""

APPOSITION = re.compile(r"(?P<name>[^,]+),\s*(?P<role>[^,]+?),?")
"""A person named with their role between commas: "Małgorzata Wiśniewska, Head of Libraries,"."""

DEFERRED = [
    r"\bdeferr?ed\b",
    r"\bdefer\b",
    r"\bpostponed\b",
    r"\badjourned\s+to\b",
    r"\bbe\s+considered\s+at\s+(?:a|the)\s+(?:future|next)\s+meeting\b",
]

REAFFIRMED = [
    r"\bre-?\s?affirm(?:s|ed)?\b",
    r"\breaffirm(?:s|ed)?\b",
    r"\breiterat(?:es|ed)\s+its\s+recommendation\b",
]

EARLIER_MEETING = re.compile(r"\bmeeting\s+(?:held\s+)?on\s+(?P<date>[^(),;]{6,40}?\d{4})", re.I)
"""Where a re-affirmation names the meeting of the recommendation: "made at its meeting on 17 January 2024"."""

EARLIER_MINUTE = re.compile(r"\(?\s*minute\s+(?:no\.?|number)?\s*(?P<minute>\d{1,4}(?:/\d{2,4})?)", re.I)
"""... and its minute: "(Minute No 6/24 ... refers)", "minute 6/24"."""

ACTIONS = [
    r"\b(?:would\s+)?welcome[sd]?\s+a\s+response\b",
    r"\bagreed\s+to\s+receive\b",
    r"\b(?:receive|receives)\s+a\s+(?:further\s+|final\s+|progress\s+|update\s+)?(?:report|update|draft|briefing)\b",
    r"\breport\s+(?:be|is)\s+(?:brought|submitted|presented|provided)\b",
    r"\breport\s+back\b",
    r"\bto\s+be\s+(?:included|circulated|shared|provided|sent|submitted|reported|considered|added)\b",
    r"\b(?:be|is|are)\s+(?:asked|requested|invited)\s+to\b",
    r"\b(?:request|requests|requested|ask|asks|asked)\s+(?:that|the)\b",
    r"\brecommend(?:s|ed)?\s+(?:to|that)\b",
]
"""Requests and report-backs that name no one as their subject ("a report be brought to a future meeting")."""

RECOMMENDATION_WORDS = re.compile(r"\b(?:welcome[sd]?\s+a\s+response|recommend)", re.I)
"""Of the ``ACTIONS``, those a board makes as a recommendation rather than an action."""

NOTED = [
    r"\bnoted\b",
    r"\bnotes\b",
    r"\b(?:be|is|was)\s+received\b",
    r"\breceived\s+(?:the|a)\b",
]

# Who a recommendation or action is to.

BODY_ITSELF = re.compile(
    r"^(?:the\s+|this\s+)?(?:board|panel|committee|commission|sub-committee|members?|councillors?)$|\bscrutiny\b",
    re.I,
)
"""A subject that is the board itself ("the Board", "the Safer ... Scrutiny Board"): not an addressee. Another
board ("the Integrated Care Board", "the Community Safety Board") is one."""

NAMED = re.compile(r"^(?:the\s|councillor\s|cllr\.?\s|mr\.?\s|mrs\.?\s|ms\.?\s|miss\s|dr\.?\s|professor\s)", re.I)
"""How a subject that is someone starts: "the Director of ...", "Councillor Padda"; or it names a role of
``ADDRESSEE_KINDS`` ("Cabinet Member for Housing")."""

JOINERS = {"of", "for", "and", "the", "&", "in", "to", "on", "at"}
"""Small words a role's title may hold ("Director of Adult Services", "Head of Finance and Procurement")."""

ADDRESSEE_KINDS = [
    ("nhs", r"\bnhs\b|\bintegrated\s+care\b|\bicb\b|\bccg\b|\bhealth\s+(?:trust|board)\b|\bfoundation\s+trust\b"),
    ("partner", r"\bpolice\b|\bconstable\b|\bpcc\b|\bfire\b|\bprobation\b|\bpartnership\b|\bcommissioner\b"),
    ("executive", r"\bcabinet\b|\bleader\b|\bexecutive\b|\bportfolio\s+holder\b|\bmayor\b"),
    ("officer", r"\bdirector\b|\bmanager\b|\bofficer\b|\bhead\s+of\b|\bchief\b|\blead\b|\bclerk\b|\bsecretary\b"),
]
"""The kind of addressee a role's title names, tried in this order; none matching: "other"."""

# When something is due.

TARGET_DATE = [
    r"\b(?:at|to|by)\s+the\s+(?:[\w-]+\s+){0,3}meeting\s+(?:held\s+)?on\s+(?P<date>[^,;()]{6,40}?\d{4})",
    r"\b(?:by|before|no\s+later\s+than)\s+(?P<date>\d{1,2}(?:st|nd|rd|th)?\s+[a-z]+\s+\d{4})",
    r"\bby\s+the\s+end\s+of\s+(?P<month>[a-z]+\s+\d{4})",
]
"""A target date the text gives: "at the panel meeting on 27 September 2018", "by 31 March 2024"."""

DEFERRED_UNTIL = re.compile(
    r"\b(?:to|until|at)\s+the\s+(?:[\w-]+\s+){0,3}meeting\s+(?:of\s+the\s+\w+\s+)?(?:held\s+)?on\s+"
    r"(?P<date>[^,;()]{6,40}?\d{4})",
    re.I,
)
"""The meeting a deferral names ("deferred to the meeting on 14 March 2024"); none: a future meeting."""


def first_match(patterns: list[str], text: str) -> re.Match[str] | None:
    """The earliest place in ``text`` where one of ``patterns`` matches."""
    found = [m for pattern in patterns if (m := re.search(pattern, text, re.I))]
    return min(found, key=lambda m: m.start()) if found else None
