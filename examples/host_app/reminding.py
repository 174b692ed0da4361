"""Reminders from the browser: who owes what soon or late, and, where the host can send mail, sending them.

The host keeps the addresses (``contacts``: a person's name as the record names them -> their address),
never the record; each message sent is recorded as a reminder on each item it was about, so nobody is
reminded of the same item twice in a day.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from examples.host_app.importing import may_import, refused
from examples.host_app.words import plain
from scrutiny_es import Mailer, ScrutinyError

MailerOn = Callable[[date], Mailer]
"""The host's mail, as of a day (the command line's SMTP sender, or a council's own)."""


def add_reminders(
    app: FastAPI,
    host: Any,
    page: Callable[..., Response],
    visit_of: Callable[[Request], Any],
    mail: MailerOn | None,
    contacts: Mapping[str, str],
) -> None:
    """The reminders page of each body, and its send button where there is mail to send with."""

    @app.get("/bodies/{body}/reminders")
    def reminders(request: Request, body: str) -> Response:
        with host.request():
            visit = visit_of(request)
            if visit is None:
                return RedirectResponse("/login", status_code=303)
            found = host.record.body(body)
            # the addresses are for those who may send: any other officer sees whom each item waits on, by name
            addresses = may_import(visit.who.role)
            owed = host.record.reminders(body=body, contacts=contacts if addresses else {})
            return page("reminders.html", request, visit=visit, body=found, owed=owed, errors={}, addresses=addresses,
                        can_send=addresses and mail is not None, today=host.record.today())  # fmt: skip

    @app.post("/bodies/{body}/reminders")
    async def send(request: Request, body: str) -> Response:
        token = str((await request.form()).get("token", ""))
        return await run_in_threadpool(lambda: sent(request, body, token))

    def sent(request: Request, body: str, token: str) -> Response:
        with host.request():
            visit = visit_of(request)
            if visit is None:
                return RedirectResponse("/login", status_code=303)
            fresh = host.sessions.use_token(host.session, visit.session_hash, token)
            host.session.commit()
            if fresh and not may_import(visit.who.role):  # as any page their role may not see
                return refused(page, request, visit, "may send reminders")
            if not fresh or mail is None:
                return page("problem.html", request, 403, visit=visit, title="Nothing was sent",
                            message="Open the reminders page again to send them.")  # fmt: skip
            host.record.body(body)  # a body no one registered is a page not found, not a failure to send
            try:  # sent, then recorded: not run again on a clash, so no one is mailed twice
                done = host.record.send_reminders(mail(host.record.today()), visit.who.actor(), body=body,
                                                  contacts=contacts)  # fmt: skip
                host.session.commit()
            except ScrutinyError as e:
                host.session.rollback()
                return page("problem.html", request, 502, visit=visit, title="Not every reminder was sent",
                            message=plain(str(e)))  # fmt: skip
            people = f"{len(done)} person" if len(done) == 1 else f"{len(done)} people"
            told: Response = host.told(visit.session_hash, f"/bodies/{quote(body)}/reminders", "sent",
                                       f"Reminders sent to {people}.")  # fmt: skip
            return told
