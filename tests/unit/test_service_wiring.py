"""The service's parts fit together: commands match their aggregate methods, and every wiring gives the same record."""

from __future__ import annotations

import inspect

import pytest

from scrutiny_es.adapters.memory.readmodels import MemoryReadModels
from scrutiny_es.adapters.sql.writers import writers
from scrutiny_es.bootstrap import in_memory
from scrutiny_es.domain.commands import ENVELOPE, ITEM_COMMANDS
from scrutiny_es.domain.errors import ItemClosed
from scrutiny_es.domain.model import Recommendation
from scrutiny_es.projections.reports import READ_MODELS
from tests.conftest import FixedClock, command, make, register

BY_THE_SERVICE = {"actor", "at", "version", "board"}
"""Arguments every item method takes from the service rather than from the command (the ``version`` of the item's
event that the command's ``position`` names; ``board``, the body's name on the day it decided)."""


@pytest.mark.parametrize("cmd", ITEM_COMMANDS, ids=lambda cmd: cmd.__name__)
def test_every_item_commands_fields_are_its_aggregate_methods_parameters(cmd: type) -> None:
    name = cmd.model_fields["command"].default
    method = getattr(Recommendation, name)
    parameters = set(inspect.signature(method).parameters) - {"self"} - BY_THE_SERVICE
    fields = set(cmd.model_fields) - ENVELOPE
    assert parameters - fields <= {"body"}  # a referral is given the body, for its deadline policy
    assert fields == parameters - {"body"}


def test_every_read_model_has_its_sql_tables_and_its_memory_fold() -> None:
    assert set(writers()) == set(READ_MODELS) == set(MemoryReadModels.names)


LIFE = [
    register(),
    make("R1", target_date="2024-09-30"),
    make("R2", meeting_date="2024-03-14"),
    command("refer", ref="R1", addressee="Cabinet", received_on="2024-02-20"),
    command("report_progress", ref="R2", note="Sites found", reported_on="2024-04-11", reported_by="Officer",
            rag="amber"),
    command("defer", ref="R2", until="2024-05-01", reason="Awaiting costs", decided_on="2024-04-11"),
    command("record_response", ref="R1", addressee="Cabinet", decision="accepted", text="Agreed", responded_on="2024-04-25",
            responded_by="Cabinet"),
    command("close", ref="R1", outcome="implemented", decided_on="2024-10-01"),
]  # fmt: skip


def test_the_service_in_memory_keeps_the_rules_as_on_a_database() -> None:
    """What the read models answer on each backend is proven by one suite (``tests/integration/
    test_read_models_port.py``); here, that the service wired in memory refuses what the rules refuse."""
    memory = in_memory(FixedClock())
    for line in LIFE:
        memory.execute(line)
    with pytest.raises(ItemClosed):
        memory.execute(command("reaffirm", ref="R1", decided_on="2024-10-02"))
