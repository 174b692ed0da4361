"""Impact figures as a page with charts, as Markdown and as a terminal table."""

from __future__ import annotations

import re

from scrutiny_es.adapters.formats.impact import figure, impact_html, impact_markdown, impact_table
from tests.sandwell import impact_rows

TITLE = "Impact of scrutiny, 2023/24"


def bars(page: str) -> list[str]:
    """Each bar's part, as its tooltip names it."""
    return re.findall(r"<rect [^>]*><title>(.*?)</title></rect>", page)


def test_the_page_has_a_chart_of_responses_by_decision_and_one_of_outcomes_per_group() -> None:
    page = impact_html(impact_rows(), TITLE)
    assert page.count("<svg ") == 2
    assert "<figcaption>Responses by decision, per group</figcaption>" in page
    assert "<figcaption>Outcomes, per group</figcaption>" in page
    assert bars(page) == [
        "SNAC: Noted 7", "SNAC: Awaiting a response 5",
        "ASCSP: Accepted 3", "ASCSP: Partially accepted 1", "ASCSP: Rejected 1",
        "SNAC: Open 13",
        "ASCSP: Implemented 2", "ASCSP: Partially implemented 1", "ASCSP: Not implemented 1", "ASCSP: Open 1",
    ]  # fmt: skip


def test_bars_share_one_scale_so_groups_compare() -> None:
    page = impact_html(impact_rows(), TITLE)
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="\d+" width="([\d.]+)" height="20"', page)]
    responses = widths[:5]
    per_referral = (responses[0] + responses[1]) / 12  # SNAC: 12 referrals
    assert abs(sum(responses[2:5]) - 5 * per_referral) < 0.5  # ASCSP: 5 referrals, on the same scale


def test_the_page_tables_every_figure_with_rates_as_percentages_and_missing_ones_as_dashes() -> None:
    page = impact_html(impact_rows(), TITLE)
    assert '<th scope="col">Acceptance rate</th>' in page and '<th scope="col">Implementation rate</th>' in page
    assert '<td class="n">80.0%</td>' in page and '<td class="n">75.0%</td>' in page
    assert '<td class="n">–</td>' in page and '<td class="n">41.5</td>' in page
    assert figure({"acceptance_rate": 0.667}, "acceptance_rate") == "66.7%"
    assert figure({"median_days_to_respond": None}, "median_days_to_respond") == "–"


def test_the_page_needs_nothing_beside_it() -> None:
    page = impact_html(impact_rows(), TITLE)
    assert "<script" not in page and "http" not in page and "<img" not in page and "<link" not in page


def test_a_group_name_is_shown_as_typed_and_never_read_as_markup() -> None:
    rows = impact_rows()
    rows[0] = rows[0] | {"group": '<b onload="x">Cabinet</b>\x1b[2J'}
    page = impact_html(rows, TITLE)
    assert "<b onload" not in page and "&lt;b onload=&quot;x&quot;&gt;Cabinet&lt;/b&gt;\\u001b[2J" in page
    md = impact_markdown(rows, TITLE)
    assert "<b" not in md and "\x1b" not in md


def test_markdown_has_a_table_of_responses_and_one_of_outcomes() -> None:
    md = impact_markdown(impact_rows(), TITLE).splitlines()
    assert md[0] == f"# {TITLE}"
    assert md[4] == ("| Group | Made | Referred | Responded | On time | Awaiting | Awaiting, overdue | Median days | "
                     "Accepted | Partially accepted | Rejected | Noted | Acceptance rate |")  # fmt: skip
    assert md[7] == "| ASCSP | 5 | 5 | 5 | 4 | 0 | 0 | 41.5 | 3 | 1 | 1 | 0 | 80.0% |"
    assert "| ASCSP | 4 | 2 | 1 | 1 | 75.0% | 1 | 1 | 1 | 2 |" in md


def test_in_a_terminal_the_figures_are_tables_when_wide_and_a_card_per_group_at_80_columns() -> None:
    wide = impact_table(impact_rows(), TITLE, width=200)
    assert wide.count("┌") == 2 and max(len(line) for line in wide.splitlines()) <= 200
    narrow = impact_table(impact_rows(), TITLE, width=80)
    assert "┌" not in narrow and max(len(line) for line in narrow.splitlines()) <= 80
    card = narrow[narrow.index("ASCSP") :]
    assert card.splitlines()[1] == "═════"
    assert "Acceptance rate 80.0%" in card and "Accepted 3 · Partially accepted 1" in card


def test_no_rows_say_so() -> None:
    assert "Nothing to show." in impact_html([], TITLE)
