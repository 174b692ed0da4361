"""The domain in rooms a reader can hold: none too long, none in a loop with another, the events where they are stored."""

from __future__ import annotations

from pathlib import Path

import grimp
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

import scrutiny_es.domain
from scrutiny_es.domain import model

DOMAIN = Path(scrutiny_es.domain.__file__).parent
MAX_LINES = 500


def test_no_module_of_the_domain_is_over_500_lines() -> None:
    lengths = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in DOMAIN.glob("*.py")}
    assert {name: lines for name, lines in lengths.items() if lines > MAX_LINES} == {}


def test_no_two_modules_of_the_domain_import_each_other_directly_or_in_a_loop() -> None:
    graph = grimp.build_graph("scrutiny_es")
    modules = sorted(m for m in graph.modules if m.startswith("scrutiny_es.domain."))
    loops = [
        (first, second)
        for i, first in enumerate(modules)
        for second in modules[i + 1 :]
        if graph.chain_exists(importer=first, imported=second) and graph.chain_exists(importer=second, imported=first)
    ]
    assert loops == []


def test_every_event_class_is_nested_on_its_aggregate_in_the_model_so_its_topic_never_moves() -> None:
    for aggregate in (model.Body, model.Recommendation):
        events = {name: cls for name, cls in vars(aggregate).items() if isinstance(cls, type)}
        assert events, aggregate
        for name, cls in events.items():
            assert issubclass(cls, Aggregate.Event)
            assert get_topic(cls) == f"scrutiny_es.domain.model:{aggregate.__name__}.{name}"


def test_the_aggregates_commands_and_the_moved_names_are_still_there_under_the_model() -> None:
    for name in model.__all__:
        assert getattr(model, name) is not None
    for command in ("register", "schedule_meeting", "cancel_meeting"):
        assert callable(getattr(model.Body, command))
    for command in ("make", "refer", "record_response", "extend_response_deadline", "propose_closure",
                    "report_progress", "record_reminder", "revise_target_date", "defer", "reaffirm", "escalate",
                    "close", "reopen", "correct", "retract", "identical"):  # fmt: skip
        assert callable(getattr(model.Recommendation, command))
