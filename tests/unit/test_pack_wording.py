"""The pack's sentences as a clerk would send them unchanged: grammar that follows the count."""

from __future__ import annotations

import pytest

from scrutiny_es.adapters.formats.pack_render import render_pack
from tests.sandwell import meeting_pack


@pytest.mark.parametrize(
    ("withheld", "said"),
    [
        (1, "1 item is exempt under Schedule 12A to the Local Government Act 1972 and is not shown. "
            "It is reported in Part B."),
        (2, "2 items are exempt under Schedule 12A to the Local Government Act 1972 and are not shown. "
            "They are reported in Part B."),
    ],
)  # fmt: skip
def test_the_public_pack_says_the_items_it_withheld_are_in_part_b_in_the_number_it_withheld(
    withheld: int, said: str
) -> None:
    text = render_pack(meeting_pack() | {"exempt": False, "withheld": withheld}, "md")
    assert isinstance(text, str)
    assert said in text
