"""A benchmark's figure beside its baseline, as bench-results.json holds it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Result:
    name: str
    value: float
    unit: str
    baseline: float
    ratio: float
    target: str
    met: bool
