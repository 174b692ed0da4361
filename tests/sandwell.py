"""The Sandwell board's tracker and standing item of 14 March 2024, as the renderers receive them.

Wording is that of ../shared/seeds/000_2408af4e3dfeaece.txt (the agenda pack for 14 March 2024: the
minutes of 15 February 2024 and "Appendix 1 – Action Tracker"). Dates of receipt, responses and
target dates follow the bundled demo data; facts the documents do not give and that a test needs so
that every section of the pack has something in it are marked CHOSEN.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from pydantic import TypeAdapter

from scrutiny_es.adapters.formats import Report
from scrutiny_es.projections.reports import REPORTS
from scrutiny_es.projections.rows import TrackerRow

BODY = "SNAC"
BODY_NAME = "Safer Neighbourhoods and Active Communities Scrutiny Board"
COUNCIL = "Sandwell Metropolitan Borough Council"

TREES = "Tree Strategy and Implementation Plan 2023- 2028"
VALLEY = "Sandwell Valley Master Plan and 10-Year Business Plan"
HERITAGE = "Heritage Strategy Update"
PSPO = (
    "Implementation of 3 Boroughwide Public Space Protection Orders relating to Alcohol Consumption, "
    "Dog Fouling and BBQs/ Fires"
)
TENANTS = "Tenant Satisfaction Survey Outcomes"
FISHING = "Fishing Policy (Sandwell Angling Code of Conduct)"
HOUSING = "Housing Regulatory Framework"

BRIEFING = "Briefing note to be circulated September 2023"
REAFFIRMED = (
    "The Board re- affirmed its recommendation made at its meeting on 17 January 2024 in relation to the feasibility "
    "of providing fixed and fire-safe designated BBQ areas in Sandwell's green spaces."
)
DEFERRED = (
    "Resolved that consideration of the Housing Regulatory Framework is deferred to a future meeting of the Board."
)


def _row(ref: str, meeting: str, item: str, text: str, addressees: list[str], **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "body": BODY, "ref": ref, "kind": "recommendation", "meeting_date": meeting, "item": item, "minute": None,
        "text": text, "addressees": addressees, "status": "responded", "response": "noted", "response_due": None,
        "target_date": None, "rag": None, "deferred_until": None, "outcome": None, "notes": None,
        "last_changed_on": meeting, "awaiting": [], "overdue": [], "escalated_on": None, "closure_note": None,
        "original_target_date": None, "target_date_revisions": 0, "closure_proposed": None,
    }  # fmt: skip
    return row | fields


def _awaiting(ref: str, meeting: str, item: str, text: str, who: list[str], due: str, **fields: Any) -> dict[str, Any]:
    return _row(ref, meeting, item, text, who, status="awaiting_response", response=None, response_due=due,
                awaiting=who[:1], **fields)  # fmt: skip


def tracker_rows() -> list[dict[str, Any]]:
    """The board's tracker on 14 March 2024, ordered by ref, as ``tracker --format json`` gives it."""
    return [
        _row("2023-02-23/1", "2023-02-23", TREES,
             "Checkpoint reports throughout the first 18 months of the Tree Strategy and Implementation Plan "
             "2023- 2028 are provided to the Safer Neighbourhoods and Active Communities Scrutiny Board",
             ["Matt Huggins"], kind="action", notes=BRIEFING, target_date="2023-09-30",
             original_target_date="2023-09-30", rag="red", overdue=["target_date"], last_changed_on="2024-03-01"),
        _row("2023-02-23/2", "2023-02-23", TREES,
             "Feedback from the survey of trees, to include impact on light to habitable rooms is provided to the "
             "Safer Neighbourhoods and Active Communities Scrutiny Board",
             ["Matt Huggins"], kind="action", notes=BRIEFING, target_date="2023-09-30",
             original_target_date="2023-09-30", overdue=["target_date"], last_changed_on="2023-03-31"),
        _row("2023-12-18/1", "2023-12-18", VALLEY,
             "That the Director of Borough Economy considers the expansion of the existing sailing club building, "
             "located in Sandwell Valley, into a multi-use facility to accommodate all users.",
             ["Alice Davey", "Matt Huggins"], notes="Noted to feed into the Sandwell Valley consultation.",
             last_changed_on="2024-02-09"),
        _row("2023-12-18/2", "2023-12-18", VALLEY,
             "That the Director of Borough Economy considers the provision of additional seating areas throughout "
             "Sandwell Valley, especially in the proximity of play areas.",
             ["Alice Davey", "Matt Huggins"],
             notes="Noted for consideration as part of the service planning 2024/ 25 and Sandwell Valley master "
                   "planning.", last_changed_on="2024-02-09"),
        _row("2024-01-17/1", "2024-01-17", HERITAGE,
             "That the Safer Neighbourhoods and Active Communities Scrutiny Board endorse the proposals for the "
             "development of a Cultural Strategy.",
             ["Alice Davey", "Dawn Winter"],
             notes="Noted – the cultural strategy will move into the development stage now",
             closure_proposed="implemented", last_changed_on="2024-03-04"),
        _row("2024-01-17/2", "2024-01-17", HERITAGE,
             "That the Director of Borough Economy work in partnership with the Community and Voluntary Sector and "
             "other Council services including the Equality, Diversity and Inclusion team and Communities Team "
             "when developing the Cultural Strategy.",
             ["Alice Davey", "Dawn Winter"],
             notes="Noted this engagement will form a part of the development of the cultural strategy along with "
                   "other partners and stakeholders", last_changed_on="2024-02-26"),
        _row("2024-01-17/3", "2024-01-17", HERITAGE,
             "That the Director of Borough Economy ensure that the development of a Cultural Strategy is aligned "
             "with the Sandwell Valley Masterplan to further develop the Cultural portfolio of Sandwell.",
             ["Alice Davey", "Dawn Winter"],
             notes="Noted this alignment will be considered within the scope of the cultural strategy development",
             last_changed_on="2024-02-26"),
        _awaiting("2024-01-17/4", "2024-01-17", PSPO,
                  "That the Director of Borough Economy considers the feasibility of providing, fixed and fire-safe "
                  "designated BBQ areas in Sandwell’s green spaces and that the Safer Neighbourhoods and Active "
                  "Communities Scrutiny Board is consulted as part of the consideration.",
                  ["Alice Davey", "Matt Huggins"], "2024-03-21", minute="6/24", last_changed_on="2024-02-15"),
        _awaiting("2024-01-29/1", "2024-01-29", TENANTS,
                  "That the Director of Housing ensure that when reviewing and procuring an Asset Management System "
                  "it links with other systems including procurement and operational systems to help build "
                  "intelligence.", ["Dean Epton"], "2024-04-01", last_changed_on="2024-02-02"),
        _awaiting("2024-01-29/2", "2024-01-29", TENANTS,
                  "That the Director of Housing provide an update on stock condition surveys and any issues "
                  "experienced around them to the Safer Neighbourhoods and Active Communities Scrutiny Board.",
                  ["Dean Epton"], "2024-04-01", last_changed_on="2024-02-02"),
        _awaiting("2024-02-15/1", "2024-02-15", FISHING,
                  "That the Assistant Director Borough Economy (Green Spaces, Green Services, Events) considers the "
                  "following amendments to the draft Sandwell Angling Code of Conduct, to provide clarity:- a. "
                  "detailing set times for fishing to take place at waterbodies; b. allowing angling at Swan Pool on "
                  "Saturdays and Sundays;", ["Matt Huggins"], "2024-04-19", minute="19/24",
                  last_changed_on="2024-02-20"),
        _awaiting("2024-02-15/2", "2024-02-15", FISHING,
                  "That the Assistant Director Borough Economy (Green Spaces, Green Services, Events) considers the "
                  "following in relation to the draft Sandwell Angling Code of Conduct:- a. explores options to sell "
                  "animal feed at sites where angling is permitted; b. works with schools in the locality of Council "
                  "waterbodies to inform residents of approved angling practices; c. undertakes to improve access to "
                  "waterbodies for those with mobility and access issues;", ["Matt Huggins"], "2024-04-19",
                  minute="19/24", last_changed_on="2024-02-20"),
        _row("2024-02-15/HRF", "2024-02-15", HOUSING, "Consideration of the Housing Regulatory Framework.", [],
             kind="action", minute="20/24", status="made", response=None, deferred_until="2024-03-14"),
    ]  # fmt: skip


def tracker_report(rows: list[dict[str, Any]] | None = None) -> Report:
    """The tracker as the command line hands it to a renderer."""
    parsed = TypeAdapter(list[TrackerRow]).validate_python(tracker_rows() if rows is None else rows)
    return Report(REPORTS["tracker"], parsed, {BODY: BODY_NAME}, date(2024, 3, 14), councils={BODY: COUNCIL})


def meeting_pack(**changes: Any) -> dict[str, Any]:
    """The standing item of 14 March 2024 in its JSON form (DESIGN 6.2), published on 6 March 2024.

    CHOSEN: the three Heritage responses arrived on 26 February 2024 (after the meeting of 15 February);
    Matt Huggins reported on 1 March 2024 that the September briefing had not yet been circulated (red);
    Alice Davey proposed on 4 March 2024 that the endorsement of the Cultural Strategy be closed as done.
    """
    heritage = {row["ref"]: row for row in tracker_rows() if row["item"] == HERITAGE and row["notes"]}
    pack: dict[str, Any] = {
        "body": BODY,
        "body_name": BODY_NAME,
        "council": COUNCIL,
        "meeting": "2024-03-14",
        "since": "2024-02-15",
        "published": "2024-03-06T17:00:00+00:00",
        "responses": [
            {"ref": ref, "item": HERITAGE, "addressee": "Alice Davey", "decision": "noted", "text": row["notes"],
             "responded_on": "2024-02-26", "responded_by": "Alice Davey", "due": "2024-03-21", "on_time": True}
            for ref, row in sorted(heritage.items())
        ],
        "progress": [
            {"ref": "2023-02-23/1", "item": TREES,
             "note": "The briefing note to be circulated September 2023 has not yet been circulated.",
             "reported_on": "2024-03-01", "reported_by": "Matt Huggins", "rag": "red"},
        ],
        "unsatisfactory": [
            {"ref": "2023-02-23/1", "item": TREES, "why": ["red", "target_date"]},
            {"ref": "2023-02-23/2", "item": TREES, "why": ["target_date"]},
        ],
        "returning": [
            {"ref": "2024-01-17/4", "item": PSPO, "why": "report_back", "due": None, "decided_on": "2024-02-15",
             "words": REAFFIRMED},
            {"ref": "2024-02-15/HRF", "item": HOUSING, "why": "deferred", "due": "2024-03-14",
             "decided_on": "2024-02-15", "words": DEFERRED},
        ],
        "for_closure": [
            {"ref": "2024-01-17/1", "item": HERITAGE, "why": ["proposed"], "outcome": "implemented",
             "proposed_by": "Alice Davey", "proposed_on": "2024-03-04"},
        ],
        "tracker": tracker_rows(),
        "built_from": {"position": 58, "digest": hashlib.sha256(b"Sandwell, 14 March 2024").hexdigest()},
    }  # fmt: skip
    return pack | changes


def impact_rows() -> list[dict[str, Any]]:
    """Impact by body for 2023/24 (DESIGN 5.5), figures as ``impact --format json`` gives them."""
    return [
        {"group": "SNAC", "made": 13, "referred": 12, "responded": 7, "responded_on_time": 7, "awaiting": 5,
         "awaiting_overdue": 0, "median_days_to_respond": 35.0, "accepted": 0, "partially_accepted": 0,
         "rejected": 0, "noted": 7, "acceptance_rate": None, "closed": 0, "implemented": 0,
         "partially_implemented": 0, "not_implemented": 0, "implementation_rate": None, "open": 13, "overdue": 2,
         "revised": 0, "revisions": 0},
        {"group": "ASCSP", "made": 5, "referred": 5, "responded": 5, "responded_on_time": 4, "awaiting": 0,
         "awaiting_overdue": 0, "median_days_to_respond": 41.5, "accepted": 3, "partially_accepted": 1,
         "rejected": 1, "noted": 0, "acceptance_rate": 0.8, "closed": 4, "implemented": 2,
         "partially_implemented": 1, "not_implemented": 1, "implementation_rate": 0.75, "open": 1, "overdue": 1,
         "revised": 1, "revisions": 2},
    ]  # fmt: skip
