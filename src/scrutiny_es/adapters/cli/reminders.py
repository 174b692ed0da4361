"""``scrutiny-es reminders``: who must act next, and with ``--send``, a message to each of them.

Addresses come from a contacts file (CSV, ``name,email``), read here and never recorded: the
log keeps who was reminded of what, and when, but not where they were written to.
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import sys
from pathlib import Path

from scrutiny_es.adapters.cli import write
from scrutiny_es.adapters.cli.apply import default_actor
from scrutiny_es.adapters.cli.reports import say_if_behind
from scrutiny_es.adapters.formats.reminders import reminders_json, reminders_markdown, reminders_table, title
from scrutiny_es.adapters.formats.text import visible
from scrutiny_es.adapters.mail import SmtpMailer
from scrutiny_es.application import ScrutinyService
from scrutiny_es.domain.errors import ScrutinyError

SENDER = {"id": "scrutiny-es", "name": "scrutiny-es reminders", "role": "system"}
"""Who records the reminders sent, unless ``--actor-...`` or ``$SCRUTINY_ACTOR`` says."""

_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+$")
_SERVER = re.compile(r"^(?P<host>[^\s:]+|\[[0-9a-fA-F:]+\]):(?P<port>[0-9]{1,5})$")


def reminders(args: argparse.Namespace) -> int:
    contacts = read_contacts(Path(args.contacts)) if args.contacts else None
    server = _server(args) if args.send else None
    app: ScrutinyService = args.open(args.db)
    on = args.on or app.today()
    if server is None:
        found = app.reminders(body=args.body, on=on, within=args.within, contacts=contacts)
    else:
        mailer = SmtpMailer(server[0], server[1], args.sender, on)
        found = app.send_reminders(mailer, default_actor(args) or SENDER, body=args.body, on=on, within=args.within,
                                   contacts=contacts)  # fmt: skip
        for not_sent in found.not_sent:  # each reported; the others were still sent
            print(f"scrutiny-es: {not_sent.reason} (not recorded as reminded: the next run tries again)",
                  file=sys.stderr)  # fmt: skip
        print(f"sent {len(found)} reminder{'s' * (len(found) != 1)}", file=sys.stderr)
    heading = title(on, args.within)
    if args.format == "json":
        shown = reminders_json(found)
    elif args.format == "md":
        shown = reminders_markdown(found, heading)
    else:
        shown = reminders_table(found, heading, shutil.get_terminal_size((160, 40)).columns)
    write(shown, args.output)
    say_if_behind(app)
    return 1 if getattr(found, "not_sent", None) else 0


def _server(args: argparse.Namespace) -> tuple[str, int]:
    if not args.smtp or not args.sender:
        raise ScrutinyError("--send needs --smtp HOST:PORT and --from ADDRESS")
    match = _SERVER.match(args.smtp)
    if match is None or not 0 < int(match["port"]) < 65536:
        raise ScrutinyError(f"--smtp: {visible(args.smtp)!r} is not a server written HOST:PORT (port 1 to 65535)")
    if not _EMAIL.match(args.sender):
        raise ScrutinyError(f"--from: {visible(args.sender)!r} is not an email address")
    return match["host"].strip("[]"), int(match["port"])


def read_contacts(path: Path) -> dict[str, str]:
    """Names and their addresses from a CSV file with the header ``name,email``; a bad row is an error naming its
    line and field."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ScrutinyError(f"--contacts: there is no file {path}") from None
    except UnicodeDecodeError as e:
        raise ScrutinyError(f"{path}: not UTF-8 text (byte 0x{e.object[e.start]:02X})") from None
    reader = csv.reader(text.splitlines())
    try:
        rows = iter(list(reader))
    except csv.Error as e:  # a cell of more than 131,072 characters
        raise ScrutinyError(f"{path} line {reader.line_num}: cannot be read as CSV ({e})") from None
    header = [cell.strip().casefold() for cell in next(rows, [])]
    if header != ["name", "email"]:
        raise ScrutinyError(f"{path} line 1: the header must be name,email")
    contacts: dict[str, str] = {}
    first_line: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 2:
            raise ScrutinyError(f"{path} line {number}: a row has two fields, name and email, not {len(row)}")
        name, email = (" ".join(cell.split()) for cell in row)
        if not name:
            raise ScrutinyError(f"{path} line {number}: name: must not be blank")
        if not _EMAIL.match(email):
            raise ScrutinyError(f"{path} line {number}: email: {visible(email)!r} is not an email address")
        if name in contacts and contacts[name] != email:
            raise ScrutinyError(
                f"{path} line {number}: name: {visible(name)} has another address on line {first_line[name]}"
            )
        contacts[name] = email
        first_line.setdefault(name, number)
    return contacts
