"""The web application: sign-in, the bodies, a body's tracker, an item's card, the overdue list, every task's
form, and the meeting pack to download.

One SQLAlchemy engine and one ``scoped_session`` serve the host's ``users`` table and the record
(``Scrutiny(session=...)``), so a form's command is written in the host's transaction. Every
request runs in one thread from start to end (the endpoints are plain functions, which FastAPI
runs in its thread pool) and gives its session back when it ends.
"""

from __future__ import annotations

import re
import secrets
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader
from sqlalchemy.orm import scoped_session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from examples.host_app import downloads, words
from examples.host_app.importing import NotFound, add_import, may_import, refused, too_long
from examples.host_app.reminding import MailerOn, add_reminders
from examples.host_app.sessions import (
    Sessions,
    Throttle,
    checked_secret,
    council_engine,
    council_of,
    local_path,
    set_cookie,
)
from examples.host_app.tasks import POLICY, TASKS, Task, beside_fields, command_from, offered, who_may
from examples.host_app.users import AnswersFor, Officer, count_recorded, metadata, officer, signed_in
from scrutiny_es import InvalidQuery, Policy, Scrutiny, ScrutinyError

PAGE = 20
"""Tracker and overdue rows a page."""

HERE = Path(__file__).parent
FRONTEND = HERE / "node_modules" / "govuk-frontend" / "dist" / "govuk"
"""The GOV.UK Frontend package, as `npm ci` in this folder installs it (`make host-app` does)."""

templates = Jinja2Templates(
    env=Environment(
        loader=ChoiceLoader([FileSystemLoader(HERE / "templates"),
                             PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})]),
        autoescape=True,
    )
)  # fmt: skip
templates.env.filters["long_date"] = words.long_date
templates.env.filters["plain"] = words.plain
# a ref in a page's address, its slashes too: "x/./y" or "a/../b" as one segment, which no browser shortens
templates.env.filters["segment"] = lambda value: quote(str(value), safe="")
templates.env.globals["words"] = words
templates.env.globals["govukRebrand"] = False
templates.env.filters["option_item"] = lambda pair, chosen, key="checked": {
    "value": pair[0], "text": pair[1], key: pair[0] == chosen}  # fmt: skip
templates.env.filters["name_item"] = lambda name, chosen: {"value": name, "text": name, "selected": name == chosen}


class Host:
    """What every request shares: the engine, the session factory, the record, the council's sessions."""

    def __init__(self, url: str, secret: str | None, clock: Any = None, now: Callable[[], float] = time.time) -> None:
        if not (FRONTEND / "govuk-frontend.min.css").exists():
            msg = f"GOV.UK Frontend is not installed in {HERE}: run  npm ci --prefix {HERE}  (make host-app does)"
            raise RuntimeError(msg)
        self.engine = council_engine(url)
        metadata.create_all(self.engine)
        self.session = scoped_session(sessionmaker(bind=self.engine))
        with self.engine.begin() as conn:
            kept = checked_secret(secret, conn)
        self.sessions = Sessions(kept, council_of(url), now)
        self.throttle = Throttle(now)
        # Each officer answers for the office their account is named for, by the actor id they sign in as.
        self.record = Scrutiny(
            session=self.session, clock=clock, policy=Policy(POLICY.roles, acts_for=AnswersFor(self.session))
        )

    @contextmanager
    def request(self) -> Iterator[None]:
        """One request's use of the session: whatever it left open is rolled back and the session given back."""
        try:
            yield
        finally:
            self.session.remove()

    def officer_from(self, request: Request) -> tuple[Officer, str] | None:
        """The signed-in officer and their session's hash, if the council's cookie names a live session."""
        found = self.sessions.user(self.session, request.cookies.get(self.sessions.cookie, ""))
        if found is None:
            return None
        who = officer(self.session, found[0])
        self.session.commit()  # the session's last use
        return None if who is None else (who, found[1])

    def told(self, session_hash: str, location: str, kind: str, message: str) -> Response:
        """To ``location`` (a path), whose next view by this session says ``message`` once (a ``kind`` banner): told
        by the session, not the address, so no link sent to an officer can say something was done."""
        self.sessions.flash(self.session, session_hash, unquote(location), kind, message)
        self.session.commit()
        return RedirectResponse(location, status_code=303)

    def close(self) -> None:
        self.record.close()
        self.session.remove()
        self.engine.dispose()


@dataclass(frozen=True)
class Visit:
    """A signed-in officer's request: who they are and their session (for its form tokens)."""

    who: Officer
    session_hash: str


def create_app(
    url: str,
    *,
    secret: str | None = None,
    clock: Any = None,
    now: Callable[[], float] = time.time,
    mail: MailerOn | None = None,
    contacts: Mapping[str, str] | None = None,
) -> FastAPI:
    """The application over the database at ``url`` (its ``users`` and ``sessions`` tables and the record, in one
    engine). ``secret`` signs cookies: a weak one is refused; without one, the database keeps one made for it.
    ``mail`` sends reminders to the addresses in ``contacts`` (without it, they are shown, not sent)."""
    host = Host(url, secret, clock, now)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        host.close()  # the server stops: the record's connections and the engine's are closed
        shutil.rmtree(app.state.uploads, ignore_errors=True)  # and no file a clerk checked is left behind

    app = FastAPI(title="Scrutiny tracker", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.host = host
    app.mount("/assets", StaticFiles(directory=FRONTEND / "assets"), name="assets")
    app.mount("/govuk", StaticFiles(directory=FRONTEND), name="govuk")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """What a pen-tester looks for on every answer: no framing, no sniffing, no referrer, scripts only ours (and a
        post too long for any form refused before it is read)."""
        long = await too_long(request)
        answer = (
            page("problem.html", request, long[0], title="Too long", message=long[1])
            if long
            else await call_next(request)
        )
        nonce = getattr(request.state, "nonce", "")
        scripts = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
        answer.headers.setdefault("Content-Security-Policy", f"default-src 'self'; script-src {scripts}; "
                                  "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
                                  "frame-ancestors 'none'")  # fmt: skip
        answer.headers.setdefault("X-Content-Type-Options", "nosniff")
        answer.headers.setdefault("X-Frame-Options", "DENY")
        answer.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith(("/assets/", "/govuk/", "/static/")):
            answer.headers.setdefault("Cache-Control", "no-store")  # a signed-in page is not kept by a shared PC
        if request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https":
            answer.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return answer

    def page(template: str, request: Request, status_code: int = 200, **context: Any) -> HTMLResponse:
        request.state.nonce = secrets.token_urlsafe(16)
        context.setdefault("visit", None)
        if context["visit"] is not None:
            # what this officer just recorded, for the page it was recorded for (the path as the server reads it)
            context["flash"] = host.sessions.flashed(host.session, context["visit"].session_hash, request.scope["path"])
            if "token" not in context:
                context["token"] = host.sessions.form_token(host.session, context["visit"].session_hash)
            host.session.commit()
        return templates.TemplateResponse(request, template, {"cspNonce": request.state.nonce, **context},
                                          status_code=status_code)  # fmt: skip

    def signed_in_only(endpoint: Callable[..., Response]) -> Callable[..., Response]:
        """Runs the endpoint for a signed-in officer (passed as ``visit``), in one request's session; else to
        sign-in."""

        @wraps(endpoint)
        def run(request: Request, *args: Any, **kwargs: Any) -> Response:
            with host.request():
                found = host.officer_from(request)
                if found is None:
                    # back to the same page after sign-in, with its query (a task form's body and ref, say)
                    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                    return RedirectResponse(f"/login?{urlencode({'next': here})}", status_code=303)
                return endpoint(request, *args, visit=Visit(*found), **kwargs)

        run.__signature__ = _without(endpoint, "visit")  # type: ignore[attr-defined]
        return run

    async def posted(request: Request) -> dict[str, str]:
        form = await request.form()
        return {k: v for k, v in form.items() if isinstance(v, str)}

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/") -> Response:
        nonce = request.cookies.get(host.sessions.login_cookie) or secrets.token_urlsafe(24)
        shown = page("login.html", request, next=local_path(next), errors={}, token=host.sessions.sign_in_token(nonce))
        set_cookie(shown, request, host.sessions.login_cookie, nonce)
        return shown

    @app.post("/login")
    async def login(request: Request) -> Response:
        form = await posted(request)
        username, password = form.get("username", ""), form.get("password", "")
        next_ = local_path(form.get("next", "/"))
        nonce = request.cookies.get(host.sessions.login_cookie, "")
        if not host.sessions.sign_in_token_matches(nonce, form.get("token", "")):
            return page("problem.html", request, 403, title="Sign in again",
                        message="This sign-in form has expired. Open the sign-in page again.")  # fmt: skip
        address = request.client.host if request.client else ""
        wait = host.throttle.wait(username, address)
        refused = ""
        if wait:
            refused = f"Too many tries to sign in. Wait {wait} minutes, then try again."
        else:
            with host.request():
                who = signed_in(host.session, username, password)
                if who is not None:
                    cookie = host.sessions.start(host.session, who.id)
                    host.session.commit()
            if who is None:
                host.throttle.failed(username, address)
                refused = "The username or password is not right"
        if refused:
            return page("login.html", request, 429 if wait else 401, next=next_, errors={"password": refused},
                        username=username, token=host.sessions.sign_in_token(nonce))  # fmt: skip
        done = RedirectResponse(next_, status_code=303)
        set_cookie(done, request, host.sessions.cookie, cookie)
        done.delete_cookie(host.sessions.login_cookie)
        return done

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        form = await posted(request)
        with host.request():
            found = host.officer_from(request)
            if found is not None and host.sessions.use_token(host.session, found[1], form.get("token", "")):
                host.sessions.end(host.session, request.cookies.get(host.sessions.cookie, ""))
                host.session.commit()
            elif found is not None:
                host.session.commit()
                return page("problem.html", request, 403, title="Sign out again",
                            message="This page has expired. Open it again, then sign out.")  # fmt: skip
        done = RedirectResponse("/login", status_code=303)
        done.delete_cookie(host.sessions.cookie)
        return done

    @app.get("/", response_class=HTMLResponse)
    @signed_in_only
    def bodies(request: Request, visit: Visit) -> Response:
        tasks = [t for t in TASKS.values() if not t.on_item and t.key == "register-body"
                 and offered(t, visit.who.name, visit.who.role, None)]  # fmt: skip
        return page("bodies.html", request, visit=visit, bodies=host.record.bodies(), tasks=tasks)

    @app.get("/bodies/{body}", response_class=HTMLResponse)
    @signed_in_only
    def tracker(
        request: Request,
        body: str,
        visit: Visit,
        status: str = "",
        rag: str = "",
        addressee: str = "",
        open: str = "",
        overdue: str = "",
        page_number: str = "1",
    ) -> Response:
        chosen = {"status": status, "rag": rag, "addressee": addressee, "open": open, "overdue": overdue}
        number = _page(page_number)
        errors: dict[str, str] = {}
        rows: list[Any] = []
        found = host.record.body(body)
        try:
            rows = host.record.tracker(
                body,
                # as typed into the address: the library checks them (InvalidQuery naming the field)
                status=status or None,  # type: ignore[arg-type]
                rag=rag or None,  # type: ignore[arg-type]
                addressee=addressee or None,
                open_only=bool(open),
                overdue_only=bool(overdue),
                limit=PAGE + 1,  # one more tells whether there is a next page
                offset=(number - 1) * PAGE,
            )
        except InvalidQuery as e:  # a filter's value typed into the address by hand
            errors[e.field or "status"] = words.plain(str(e))
        tasks = [t for t in TASKS.values() if not t.on_item and t.key != "register-body"
                 and offered(t, visit.who.name, visit.who.role, None)]  # fmt: skip
        query = urlencode({k: v for k, v in chosen.items() if v})
        return page("tracker.html", request, 400 if errors else 200, visit=visit, body=found, rows=rows[:PAGE],
                    more=len(rows) > PAGE, page_number=number, chosen=chosen, errors=errors,
                    tasks=tasks, query=query, imports=may_import(visit.who.role),
                    packs=may_import(visit.who.role), withheld=words.withheld(rows))  # fmt: skip

    def item_row(body: str, ref: str) -> Any:
        """The item of a card or a task, exempt or not (the lists leave exempt items out; an officer who has the
        item's address may work on it)."""
        rows = [r for r in host.record.tracker(body, ref, exempt=True) if r.ref == ref] if body and ref else []
        if not rows:
            raise NotFound(f"{body or 'No body'} has no item with the ref {ref or '(none given)'}")
        return rows[0]

    @app.get("/bodies/{body}/items/{ref:path}", response_class=HTMLResponse)
    @signed_in_only
    def card(request: Request, body: str, ref: str, visit: Visit) -> Response:
        row = item_row(body, ref)
        if row.exempt and not (may_import(visit.who.role) or visit.who.name in row.addressees):  # a guessed ref
            return refused(page, request, visit, "or an officer the item names may open an item not for publication")
        tasks = [t for t in TASKS.values() if t.on_item and offered(t, visit.who.name, visit.who.role, row.addressees)]
        return page("item.html", request, visit=visit, row=row, facts=host.record.item(body, ref), tasks=tasks)

    def task_page(request: Request, visit: Visit, task: Task, body: str, ref: str, status_code: int = 200,
                  values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                  problem: str | None = None) -> Response:  # fmt: skip
        found = host.record.body(body) if body else None
        row = item_row(body, ref) if task.on_item else None
        if not offered(task, visit.who.name, visit.who.role, row.addressees if row else None):
            return page("problem.html", request, 403, visit=visit, title="You cannot do this",
                        message=who_may(task) + ".")  # fmt: skip
        addressees = row.addressees if row else []
        role = POLICY.role(visit.who.role)
        if row is not None and role is not None and role.own_items:
            addressees = [visit.who.name]  # their own response only
        defaults = {"reported_by": addressees[0] if addressees else "", "proposed_by": addressees[0] if addressees
                    else ""} if values is None else {}  # fmt: skip
        return page("task.html", request, status_code, visit=visit, task=task, body=found, row=row,
                    addressees=addressees, values=values or defaults, errors=errors or {}, problem=problem)  # fmt: skip

    @app.get("/do/{key}", response_class=HTMLResponse)
    @signed_in_only
    def task_form(request: Request, key: str, visit: Visit, body: str = "", ref: str = "") -> Response:
        return task_page(request, visit, _task(key), body, ref)

    @app.post("/do/{key}")
    async def task_post(request: Request, key: str) -> Response:
        form = await posted(request)
        return await run_in_threadpool(lambda: record_task(request, key, form))  # as the plain endpoints are

    def record_task(request: Request, key: str, form: dict[str, str]) -> Response:
        """Records the form's command and the host's own count in one transaction of the host's session (run
        again if another writer changed the item first); on a refusal, the form again with each message beside
        its field, and nothing recorded, of the record or of the host's. A form without a fresh token of this
        officer's session records nothing."""
        with host.request():
            found = host.officer_from(request)
            if found is None:
                return RedirectResponse("/login", status_code=303)
            visit = Visit(*found)
            task, body, ref = _task(key), form.get("of_body", ""), form.get("of_ref", "")
            if not host.sessions.use_token(host.session, visit.session_hash, form.get("token", "")):
                host.session.commit()
                return page(
                    "problem.html",
                    request,
                    403,
                    visit=visit,
                    title="This form has expired",
                    message="Nothing was recorded. Open the page again and fill in the form again.",
                )
            host.session.commit()  # the token is used, whatever follows
            values, errors = command_from(task, form)
            if errors:
                return task_page(request, visit, task, body, ref, 422, form, errors)
            command = {**values, "command": task.command, "actor": visit.who.actor(), "body": values.get("body", body)}
            if task.on_item:
                command["ref"] = ref
            if not offered(task, visit.who.name, visit.who.role, item_row(body, ref).addressees if task.on_item
                           else None):  # fmt: skip
                return task_page(request, visit, task, body, ref)

            def work() -> None:
                count_recorded(host.session, visit.who)  # first: a refused command must undo it too
                host.record.execute(command)

            try:
                host.record.unit_of_work(work)
            except ScrutinyError as e:
                host.session.rollback()
                errors, problem = beside_fields(task, e, form.get("addressee"))
                return task_page(request, visit, task, body, ref, 422, form, errors, problem)
            on_item = task.on_item or task.command == "make_recommendation"
            to = f"/bodies/{quote(str(command['body']))}" + (f"/items/{quote(str(command['ref']), safe='')}"
                                                             if on_item else "")  # fmt: skip
            return host.told(visit.session_hash, to, "recorded", "Recorded.")

    @app.get("/bodies/{body}/pack", response_class=HTMLResponse)
    @signed_in_only
    def pack(request: Request, body: str, visit: Visit, day: str = "", month: str = "", year: str = "",
             format: str = "") -> Response:  # fmt: skip
        if not may_import(visit.who.role):  # the board's pack is the clerk's, as the tracker's link to it says
            return refused(page, request, visit, "may download a meeting pack")
        found = host.record.body(body)
        errors: dict[str, str] = {}
        if "asked" in request.query_params:
            meeting, problem = words.read_date("date of the meeting", day, month, year)
            if problem or not meeting:
                errors["meeting"] = problem or "Enter the date of the meeting"
            if format not in ("docx", "html"):
                errors["format"] = "Select Word or web page"
            if not errors:
                return pack_file(found.body, date.fromisoformat(meeting), format)
        chosen = {"day": day, "month": month, "year": year, "format": format}
        return page("pack.html", request, 400 if errors else 200, visit=visit, body=found, errors=errors,
                    chosen=chosen)  # fmt: skip

    def pack_file(body: str, meeting: date, fmt: str) -> Response:
        content = downloads.pack_file(host.record.meeting_pack(body, meeting), fmt)
        return downloads.download(content, fmt, downloads.file_name(body, "pack", meeting, fmt))

    @app.get("/bodies/{body}/tracker.{fmt}")
    @signed_in_only
    def tracker_download(request: Request, body: str, fmt: str, visit: Visit) -> Response:  # noqa: ARG001
        if fmt not in ("csv", "xlsx"):
            raise NotFound(f"The tracker is not made as {fmt}")
        found = host.record.body(body)
        content = downloads.tracker_file(host.record.tracker(body), fmt, f"{found.name} ({found.council}): tracker")
        return downloads.download(content, fmt, downloads.file_name(body, "tracker", host.record.today(), fmt))

    @app.get("/overdue", response_class=HTMLResponse)
    @signed_in_only
    def overdue(request: Request, visit: Visit, body: str = "", page_number: str = "1") -> Response:
        number = _page(page_number)
        rows = host.record.overdue(body or None, limit=PAGE + 1, offset=(number - 1) * PAGE)
        return page("overdue.html", request, visit=visit, body=body, rows=rows[:PAGE], more=len(rows) > PAGE,
                    page_number=number, today=host.record.today(),
                    withheld=words.withheld(rows))  # fmt: skip

    @app.exception_handler(ScrutinyError)
    @app.exception_handler(NotFound)
    @app.exception_handler(StarletteHTTPException)
    def not_found(request: Request, e: Exception) -> Response:
        """A body, item, form or page that is not there (a link typed by hand), or a post that cannot be read: in
        words, as a page."""
        status, title, message = words.problem(e)
        shown = page("problem.html", request, status, title=title, message=message)
        shown.headers.update(getattr(e, "headers", None) or {})  # a 405's Allow
        return shown

    def visit_of(request: Request) -> Visit | None:
        found = host.officer_from(request)
        return None if found is None else Visit(*found)

    add_reminders(app, host, page, visit_of, mail, contacts or {})
    add_import(app, host, page, visit_of)  # last: its /bodies/{body}/{kind} takes what no other page has
    return app


def _page(typed: str) -> int:
    """A list's page number as typed into the address (0 or less: the first); else a page that is not there."""
    if re.fullmatch(r"-?[0-9]{1,7}", typed.strip()) and int(typed) <= 1_000_000:
        return max(int(typed), 1)
    raise NotFound(f"There is no page {typed[:40]} of this list: a page is a whole number, like 2")


def _task(key: str) -> Task:
    if key not in TASKS:
        raise NotFound(f"There is no form called {key}")
    return TASKS[key]


def _without(endpoint: Callable[..., Any], name: str) -> Any:
    import inspect

    signature = inspect.signature(endpoint)
    return signature.replace(parameters=[p for p in signature.parameters.values() if p.name != name])
