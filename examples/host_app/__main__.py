"""``python -m examples.host_app``: add an officer, or serve the application with uvicorn.

python -m examples.host_app --db sqlite:///host.db add-user jo --name "Jo Clerk" --role "scrutiny officer"
python -m examples.host_app --db sqlite:///host.db serve --port 8000
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

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

    try:
        app = create_app(args.db, secret=os.environ.get("HOST_APP_SECRET"))
    except (WeakSecret, RuntimeError) as e:
        print(f"python -m examples.host_app: {e}", file=sys.stderr)
        return 2
    uvicorn.run(app, host=args.host, port=args.port, proxy_headers=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
