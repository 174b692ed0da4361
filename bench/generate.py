"""Realistic scrutiny data for the benchmarks: bodies, items and the mix of events a council records.

Each item is made at a meeting, referred to one or two addressees, answered (mostly on
time), reported on at later meetings, and often closed; some are deferred, re-affirmed,
escalated or have their target date moved, and a few responses are corrected. About ten
events an item, as in the Sandwell tracker.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

CLERK = {"id": "bench", "name": "Benchmark Clerk", "role": "scrutiny officer"}
ADDRESSEES = [
    {"name": "Cabinet", "kind": "executive"},
    {"name": "Cabinet Member for Housing", "role": "Cllr", "kind": "executive"},
    {"name": "Director of Housing", "kind": "officer"},
    {"name": "Integrated Care Board", "kind": "nhs"},
    {"name": "West Midlands Police", "kind": "partner"},
]
DECISIONS = ["accepted"] * 6 + ["partially_accepted"] * 2 + ["rejected", "noted"]


def body_code(n: int) -> str:
    return f"B{n:03d}"


def bodies(count: int, first: int = 0) -> Iterator[dict[str, Any]]:
    for n in range(first, first + count):
        yield {"command": "register_body", "actor": CLERK, "body": body_code(n), "name": f"Scrutiny Board {n}",
               "council": f"Council {n // 10}"}  # fmt: skip


def item_commands(body: str, ref: str, rng: random.Random, start: date) -> list[dict[str, Any]]:
    """One item's life, in the order a clerk would record it."""
    meeting = start + timedelta(days=rng.randrange(0, 3 * 365))
    base = {"actor": CLERK, "body": body, "ref": ref}
    addressees = rng.sample(ADDRESSEES, rng.choice([1, 1, 2]))
    out: list[dict[str, Any]] = [{
        **base, "command": "make_recommendation", "kind": rng.choice(["recommendation", "action"]),
        "meeting_date": meeting.isoformat(), "item": f"Item {ref}", "minute": f"{rng.randrange(1, 99)}/24",
        "text": f"That the executive considers proposal {ref} and reports back to the board.",
        "addressees": addressees,
    }]  # fmt: skip
    day = meeting
    for addressee in addressees:
        received = meeting + timedelta(days=rng.randrange(1, 10))
        out.append({**base, "command": "refer", "addressee": addressee["name"], "received_on": received.isoformat()})
        day = max(day, received)
    for addressee in addressees:
        if rng.random() < 0.85:
            day += timedelta(days=rng.randrange(10, 70))
            out.append({**base, "command": "record_response", "addressee": addressee["name"],
                        "decision": rng.choice(DECISIONS), "text": f"{addressee['name']} responds to {ref}.",
                        "responded_on": day.isoformat(), "responded_by": addressee["name"],
                        "target_date": (day + timedelta(days=180)).isoformat() if rng.random() < 0.5 else None})  # fmt: skip
            if rng.random() < 0.05:
                out.append({**base, "command": "correct", "field": "response.text", "addressee": addressee["name"],
                            "value": "The response as minuted.", "reason": "The letter was misquoted."})  # fmt: skip
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        day += timedelta(days=rng.randrange(20, 60))
        out.append({**base, "command": "report_progress", "note": f"Progress on {ref} as at {day}.",
                    "reported_on": day.isoformat(), "reported_by": "Director of Housing",
                    "rag": rng.choice(["green", "amber", "amber", "red", None])})  # fmt: skip
    roll = rng.random()
    day += timedelta(days=rng.randrange(20, 60))
    if roll < 0.1:
        out.append({**base, "command": "defer", "until": (day + timedelta(days=42)).isoformat(), "reason": "Awaiting a report.",
                    "decided_on": day.isoformat()})  # fmt: skip
    elif roll < 0.15:
        out.append({**base, "command": "revise_target_date", "target_date": (day + timedelta(days=90)).isoformat(),
                    "reason": "Consultation extended.", "decided_by": "Cabinet Member", "decided_on": day.isoformat()})  # fmt: skip
    elif roll < 0.2:
        out.append(
            {**base, "command": "escalate", "action": "Call in the cabinet member.", "decided_on": day.isoformat()}
        )
    elif roll < 0.25:
        out.append({**base, "command": "reaffirm", "decided_on": day.isoformat()})
    if rng.random() < 0.6:
        day += timedelta(days=rng.randrange(20, 60))
        out.append({**base, "command": "close", "outcome": rng.choice(["implemented", "implemented", "no_longer_monitored"]),
                    "decided_on": day.isoformat()})  # fmt: skip
    return out


def commands(body_count: int, items_per_body: int, seed: int = 2024, first_body: int = 0) -> Iterator[dict[str, Any]]:
    """Bodies first, then each item's life; items interleave a little, as at real meetings."""
    rng = random.Random(seed)
    yield from bodies(body_count, first_body)
    start = date(2021, 1, 1)
    window: list[list[dict[str, Any]]] = []
    for n in range(items_per_body):
        for b in range(first_body, first_body + body_count):
            window.append(item_commands(body_code(b), f"{n:06d}", rng, start))
            if len(window) >= 8:
                yield from _interleave(window, rng)
                window = []
    yield from _interleave(window, rng)


def _interleave(lives: list[list[dict[str, Any]]], rng: random.Random) -> Iterator[dict[str, Any]]:
    queues = [list(reversed(life)) for life in lives]
    while queues:
        queue = rng.choice(queues)
        yield queue.pop()
        if not queue:
            queues.remove(queue)
