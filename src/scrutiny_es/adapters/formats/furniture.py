"""A council's report furniture: what its covering report says around the tracker, from a small TOML file.

Every council's report to a scrutiny board has the same frame: the council, the directorate, the
Director and Contact Officer, the reasons for the recommendations, the Implications table, the
appendices and the background papers. A council writes its own once, in a file such as::

    council = "Sandwell Metropolitan Borough Council"
    director = { name = "James McLaughlin", title = "Assistant Chief Executive", email = "..." }
    contact_officer = { name = "Alex Goddard", title = "Scrutiny Lead Officer", email = "..." }
    background_papers = []

    [implications]
    Resources = "Any resources implications ..."

    [bodies.SNAC]          # what differs for one body
    contact_officer = { name = "...", title = "...", email = "..." }

Whatever the file leaves out has a default: the reasons and context of a tracking report, and an
Implications table whose Legal and Governance row states the two-month and 28-day duties to respond.
An implication given as "" is left out of the table.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from scrutiny_es.domain.errors import ScrutinyError

REASONS = (
    "To facilitate the effective monitoring of progress on responses to and implementation of recommendations "
    "made by the Board and identify where further action is required.",
    "Effective monitoring of recommendations facilitates the evaluation of the impact of the scrutiny function "
    "overall.",
)
CONTEXT = (
    "The attached Appendix details the responses to actions identified and/or recommendations made by the "
    "scrutiny function and progress on the implementation of those previously approved.",
)
LEGAL = (
    "The duty to undertake overview and scrutiny is set out in Part 1A of the Local Government Act 2000.\n\n"
    "Section 9FE of the Local Government Act 2000 requires the Executive to respond to a report or "
    "recommendations of an overview and scrutiny committee within two months of receiving them.\n\n"
    "Regulation 22 of the Local Authority (Public Health, Health and Wellbeing Boards and Health Scrutiny) "
    "Regulations 2013 requires NHS bodies and relevant health service providers to respond in writing to a "
    "report or recommendations of health scrutiny within 28 days of the request."
)


def _general(what: str) -> str:
    return (
        f"Any {what} implications arising from scrutiny activity are considered as required by the appropriate "
        f"director or cabinet member/cabinet.\n\nAny specific {what} implications for the Board's attention are "
        "detailed in the Appendix."
    )


IMPLICATIONS = (
    ("Resources", _general("resources")),
    ("Legal and Governance", LEGAL),
    ("Risk", _general("risk")),
    ("Equality", _general("equality")),
)
"""The Implications table a report has when its council's template gives none."""


@dataclass(frozen=True)
class Officer:
    """A Director or Contact Officer as the report's heading names them."""

    name: str
    title: str = ""
    email: str = ""

    def lines(self) -> tuple[str, ...]:
        return tuple(part for part in (self.name, self.title, self.email) if part)


@dataclass(frozen=True)
class Furniture:
    """The covering report's frame for one body: defaults, then the council's template, then the body's part."""

    council: str | None = None
    """The council's name as the report heads it (None: the name the body was registered with)."""
    directorate: str = ""
    director: Officer | None = None
    contact_officer: Officer | None = None
    reasons: tuple[str, ...] = REASONS
    context: tuple[str, ...] = CONTEXT
    corporate_plan: tuple[tuple[str, ...], str] | None = None
    """The Corporate Plan's objectives and how the report serves them (None: the section is left out)."""
    implications: tuple[tuple[str, str], ...] = IMPLICATIONS
    background_papers: tuple[str, ...] = ()


_TEXTS = ("council", "directorate")
_LISTS = ("reasons", "context", "background_papers")
_OFFICERS = ("director", "contact_officer")
_KEYS = (*_TEXTS, *_LISTS, *_OFFICERS, "corporate_plan", "implications")


def load_furniture(path: str | Path | None, body: str) -> Furniture:
    """The furniture of ``body``'s report from the template at ``path`` (None: the defaults alone).

    A file that cannot be read, or a key or value it does not expect, is one clear error naming the file and
    the key, and no report is made.
    """
    if path is None:
        return Furniture()
    where = f"template {path}"
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))  # as Windows Notepad may save it
    except OSError as e:
        raise ScrutinyError(f"{where}: cannot be read ({e.strerror or e})") from None
    except UnicodeDecodeError:
        raise ScrutinyError(f"{where}: is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        raise ScrutinyError(f"{where}: is not TOML: {e}") from None
    except RecursionError:  # tomllib reads nested arrays and tables by recursion
        raise ScrutinyError(f"{where}: nests its arrays or tables too deeply to be a template") from None
    bodies = data.pop("bodies", {})
    if not isinstance(bodies, dict) or not all(isinstance(v, dict) for v in bodies.values()):
        raise ScrutinyError(f"{where}: bodies must hold a table per body code, as [bodies.SNAC]")
    furniture = _apply(Furniture(), data, where)
    return _apply(furniture, bodies.get(body, {}), f"{where}, [bodies.{body}]")


def _apply(furniture: Furniture, data: Mapping[str, Any], where: str) -> Furniture:
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key not in _KEYS:
            raise ScrutinyError(f"{where}: unknown key {key!r} (known: {', '.join(_KEYS)}, bodies)")
        if key in _TEXTS:
            changes[key] = _text(value, where, key)
        elif key in _LISTS:
            if not isinstance(value, list):
                raise ScrutinyError(f'{where}: {key} must be a list of texts, as {key} = ["..."]')
            changes[key] = tuple(_text(v, where, key) for v in value)
        elif key in _OFFICERS:
            changes[key] = _officer(value, where, key)
        elif key == "corporate_plan":
            changes[key] = _plan(value, where)
        else:
            changes[key] = _implications(furniture.implications, value, where)
    return replace(furniture, **changes)


def _text(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str):
        raise ScrutinyError(f"{where}: {key} must be text in quotes, not {value!r}")
    return value.strip()


def _officer(value: Any, where: str, key: str) -> Officer:
    if not isinstance(value, dict) or set(value) - {"name", "title", "email"} or "name" not in value:
        raise ScrutinyError(f'{where}: {key} must be a table with name and optional title and email, as '
                            f'{key} = {{ name = "...", title = "...", email = "..." }}')  # fmt: skip
    return Officer(**{k: _text(v, where, f"{key}.{k}") for k, v in value.items()})


def _plan(value: Any, where: str) -> tuple[tuple[str, ...], str]:
    if not isinstance(value, dict) or set(value) != {"objectives", "text"} or not isinstance(value["objectives"], list):
        raise ScrutinyError(f"{where}: corporate_plan must be a table with objectives (a list) and text")
    objectives = tuple(_text(v, where, "corporate_plan.objectives") for v in value["objectives"])
    return objectives, _text(value["text"], where, "corporate_plan.text")


def _implications(base: tuple[tuple[str, str], ...], value: Any, where: str) -> tuple[tuple[str, str], ...]:
    """The table's rows: the template's replace the defaults' of the same heading, new ones are added, and a
    row given as "" is left out."""
    if not isinstance(value, dict):
        raise ScrutinyError(f'{where}: implications must be a table of heading = "text", as [implications]')
    rows = dict(base)
    for heading, text in value.items():
        rows[heading] = _text(text, where, f"implications.{heading}")
    return tuple((heading, text) for heading, text in rows.items() if text)
