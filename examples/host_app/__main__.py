"""``python -m examples.host_app``: add an officer, or serve the application with uvicorn.

python -m examples.host_app --db sqlite:///host.db add-user jo --name "Jo Clerk" --role "scrutiny officer"
python -m examples.host_app --db sqlite:///host.db serve --port 8000

``HOST_APP_SECRET`` signs the cookies (a strong one, or none: the database then keeps one made for it);
``HOST_APP_SMTP``, ``HOST_APP_MAIL_FROM`` and ``HOST_APP_CONTACTS`` let the reminders page send mail.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import os
import sys
from typing import Any

from sqlalchemy import create_engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.host_app")
    parser.add_argument("--db", default=os.environ.get("HOST_APP_DB", "sqlite:///host.db"), help="database URL")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add-user", help="add an officer who may sign in (asks for the password)")
    add.add_argument("username")
    add.add_argument(
        "--name", required=True, help="their name, as the record shows it (an addressee's, for an officer)"
    )
    add.add_argument("--role", default="scrutiny officer", help="their role, as the policy reads it")
    serve = commands.add_parser("serve", help="serve the application")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)

    if args.command == "add-user":
        from examples.host_app.users import add_user, metadata

        password = getpass.getpass(f"password for {args.username}: ") if sys.stdin.isatty() else sys.stdin.readline()
        engine = create_engine(args.db)
        metadata.create_all(engine)
        with engine.begin() as conn:
            add_user(conn, args.username, password.rstrip("\n"), args.name, args.role)
        print(f"added {args.username} ({args.name}, {args.role})")
        return 0

    import uvicorn

    from examples.host_app.app import create_app
    from examples.host_app.sessions import WeakSecret

    mail, contacts = _mail_from_environment()
    try:
        app = create_app(args.db, secret=os.environ.get("HOST_APP_SECRET"), mail=mail, contacts=contacts)
    except (WeakSecret, RuntimeError) as e:
        print(f"python -m examples.host_app: {e}", file=sys.stderr)
        return 2
    uvicorn.run(app, host=args.host, port=args.port, proxy_headers=True)
    return 0


def _mail_from_environment() -> tuple[Any, dict[str, str]]:
    """Reminders' mail: ``HOST_APP_SMTP`` (host:port), ``HOST_APP_MAIL_FROM``, and ``HOST_APP_CONTACTS``, a CSV
    file of ``name,email`` (the addresses stay with the host, never in the record)."""
    contacts: dict[str, str] = {}
    if os.environ.get("HOST_APP_CONTACTS"):
        with open(os.environ["HOST_APP_CONTACTS"], newline="", encoding="utf-8-sig") as file:
            contacts = {row["name"].strip(): row["email"].strip() for row in csv.DictReader(file)}
    server = os.environ.get("HOST_APP_SMTP")
    if not server:
        return None, contacts
    from scrutiny_es import SmtpMailer

    host, _, port = server.rpartition(":")
    sender = os.environ.get("HOST_APP_MAIL_FROM", "scrutiny@localhost")
    return (lambda on: SmtpMailer(host, int(port), sender, on)), contacts


if __name__ == "__main__":
    sys.exit(main())
