"""Exempt information: an item the board took in private, under a paragraph of Schedule 12A to the Local
Government Act 1972.

An exempt item stays in the record like any other, but the public reports (the tracker, the
overdue list, the pack, the impact figures and their exports) leave it out and say how many
they left out; asked for exempt items, they hold them, each marked with its paragraph, and the
meeting pack becomes its Part B.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

Paragraph = Literal["1", "2", "3", "4", "5", "6", "7"]
"""A paragraph of Part 1 of Schedule 12A: the description of exempt information an item falls under."""

PARAGRAPHS: tuple[Paragraph, ...] = get_args(Paragraph)

DESCRIPTIONS: dict[str, str] = {
    "1": "information relating to any individual",
    "2": "information which is likely to reveal the identity of an individual",
    "3": "information relating to the financial or business affairs of any particular person",
    "4": "consultations or negotiations in connection with a labour relations matter",
    "5": "information in respect of which a claim to legal professional privilege could be maintained",
    "6": "information about a notice, order or direction the authority proposes to give or make",
    "7": "action in connection with the prevention, investigation or prosecution of crime",
}
"""What each paragraph covers, in the Schedule's words (shortened)."""


def made_public(state: dict[str, Any]) -> None:
    """Upcasts a ``Recommendation.Made`` of version 1 (before items could be exempt): the item was public."""
    state["exempt"] = None


def marked(paragraph: str) -> str:
    """How an exempt item is marked where it is shown."""
    return f"Exempt: Schedule 12A, paragraph {paragraph}"


def withheld_sentence(withheld: int) -> str:
    """The sentence a public report says in place of the exempt items it left out ("" if none)."""
    if not withheld:
        return ""
    if withheld == 1:
        return "1 item is exempt under Schedule 12A to the Local Government Act 1972 and is not shown."
    return f"{withheld} items are exempt under Schedule 12A to the Local Government Act 1972 and are not shown."
