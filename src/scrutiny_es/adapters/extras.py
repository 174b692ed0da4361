"""The parts a host installs only if it uses them: each extra, and a clear word when one is missing.

The core (the record on SQLite, every report as values) needs eventsourcing, eventsourcing-sqlalchemy,
pydantic and SQLAlchemy. PostgreSQL (``postgres``), Word and Excel files (``office``) and the command
line's terminal output (``cli``) each come with an extra, so a host embeds no more than it uses.
"""

from __future__ import annotations

from importlib import import_module

from scrutiny_es.domain.errors import ScrutinyError

WHAT = {
    "postgres": "use a PostgreSQL database",
    "office": "read or write Word and Excel files",
    "cli": "run the scrutiny-es command",
}
"""What each extra is for, as a user would ask for it."""


class ExtraNotInstalled(ScrutinyError):
    """A part of the library was used whose extra is not installed: the message names the extra."""


def need(extra: str, *modules: str) -> None:
    """Raises ``ExtraNotInstalled`` unless every one of ``modules`` can be imported (it imports them)."""
    for module in modules:
        try:
            import_module(module)
        except ImportError:
            msg = (
                f"to {WHAT[extra]}, install the library's {extra!r} extra: pip install 'scrutiny-es[{extra}]' "
                f"(no module {module!r} here)"
            )
            raise ExtraNotInstalled(msg) from None
