"""Minutes as a clerk drafts from them with nothing to retype: business taken in private, people named with roles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrutiny_es import Scrutiny
from scrutiny_es.adapters.importers.minutes import Draft, draft_minutes
from tests.conftest import CLERK

MINUTES = """Minutes of the Safer Neighbourhoods and Active Communities Scrutiny Board

Thursday 11 April 2024

27/24 Library Services – Gwasanaethau Llyfrgell

RESOLVED:-

(1) that Małgorzata Wiśniewska, Head of Libraries, reports to the Board on opening hours at Smethwick & Oldbury \
libraries by 4 July 2024;

(2) that Councillor Siân O'Connor, Cabinet Member for Leisure, reviews the "Bookstart" offer.

28/24 Exclusion of the Public and Press

Resolved that the public and press be excluded from the meeting during consideration of the following item of \
business on the grounds that it involves the likely disclosure of exempt information relating to the financial or \
business affairs of any particular person (including the authority holding that information) (Paragraph 3 of \
Part 1 of Schedule 12A to the Local Government Act 1972).

29/24 Leisure Contract

Resolved:-

(1) That the Director of Borough Economy re-tenders the leisure contract in 2025.

(2) That consideration of the leisure contract's break clause is deferred to a future meeting.
"""


def drafted(tmp_path: Path, text: str) -> Draft:
    minutes = tmp_path / "minutes.txt"
    minutes.write_text(text, encoding="utf-8")
    return draft_minutes(minutes, "SNAC")


def made(draft: Draft) -> dict[str, dict[str, Any]]:
    return {c["ref"]: c for c in draft.commands if c["command"] == "make_recommendation"}


def test_items_after_the_public_were_excluded_are_drafted_exempt_under_the_paragraph_the_exclusion_names(
    tmp_path: Path,
) -> None:
    draft = drafted(tmp_path, MINUTES)
    assert [(d.where, d.became) for d in draft.resolutions][2] == ("28/24", "procedural")
    items = made(draft)
    assert [items[ref].get("exempt") for ref in sorted(items)] == [None, None, "3", "3"]
    said = draft.report()
    assert "    exempt under paragraph 3 of Schedule 12A: the public were excluded at 28/24" in said
    app = Scrutiny(f"sqlite:///{tmp_path / 'council.db'}")
    app.execute({"command": "register_body", "actor": CLERK, "body": "SNAC", "council": "Sandwell",
                 "name": "Safer Neighbourhoods and Active Communities Scrutiny Board"})  # fmt: skip
    app.execute_many([{**c, "actor": CLERK} for c in draft.commands])
    public = app.tracker(body="SNAC")
    assert ([row.item for row in public], public.withheld) == (["Library Services – Gwasanaethau Llyfrgell"] * 2, 2)
    app.close()


def test_an_exclusion_naming_no_paragraph_leaves_the_clerk_a_line_to_add_it(tmp_path: Path) -> None:
    draft = drafted(tmp_path, MINUTES.replace("(Paragraph 3 of Part 1 of Schedule 12A to the Local Government Act "
                                              "1972)", ""))  # fmt: skip
    assert all("exempt" not in c for c in made(draft).values())
    (last,) = [d for d in draft.resolutions if d.where == "29/24(1)"]
    assert last.notes == ('the public were excluded at 28/24, naming no paragraph of Schedule 12A: add "exempt" '
                          '(its paragraph, "1" to "7") before applying',)  # fmt: skip


def test_a_person_named_with_their_role_between_commas_is_the_addressee_with_that_role(tmp_path: Path) -> None:
    items = made(drafted(tmp_path, MINUTES))
    assert [items[ref]["addressees"] for ref in sorted(items)][:3] == [
        [{"name": "Małgorzata Wiśniewska", "role": "Head of Libraries", "kind": "officer"}],
        [{"name": "Councillor Siân O'Connor", "role": "Cabinet Member for Leisure", "kind": "executive"}],
        [{"name": "Director of Borough Economy", "kind": "officer"}],
    ]


def test_a_body_the_board_recommends_to_in_the_passive_is_the_addressee_of_a_recommendation(tmp_path: Path) -> None:
    draft = drafted(
        tmp_path,
        """Minutes of the Safer Neighbourhoods and Active Communities Scrutiny Board

Monday 29 January 2024

9/24 Tenant Engagement

Resolved:-

(1) that Cabinet be recommended to adopt the Tenant Engagement Strategy;

(2) that the Director of Housing be asked to report on damp & mould cases.
""",
    )
    assert [(d.where, d.became, d.phrase, d.notes) for d in draft.resolutions] == [
        ("9/24(1)", "recommendation", "That Cabinet be recommended", ()),
        ("9/24(2)", "action", "That the Director of Housing be asked", ()),
    ]
    assert [c["addressees"] for c in draft.commands] == [
        [{"name": "Cabinet", "kind": "executive"}], [{"name": "Director of Housing", "kind": "officer"}]
    ]  # fmt: skip
