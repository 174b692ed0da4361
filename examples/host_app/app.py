"""The web application: sign-in, a body's tracker, an item's card, the overdue list, and two forms.

One SQLAlchemy engine and one ``scoped_session`` serve the host's ``users`` table and the record
(``Scrutiny(session=...)``), so a form's command is written in the host's transaction. Every
request runs in one thread from start to end (the endpoints are plain functions, which FastAPI
runs in its thread pool) and gives its session back when it ends.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import wraps
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import scoped_session, sessionmaker

from examples.host_app.users import AnswersFor, Officer, count_recorded, metadata, officer, signed_in
from scrutiny_es import InvalidCommand, InvalidQuery, Policy, Scrutiny, ScrutinyError

PAGE = 20
"""Tracker and overdue rows a page."""

COOKIE = "officer"

templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))


def officers_answer_for_their_office(session: Any) -> Policy:
    """The built-in policy, with each officer answering for the office their account is named for."""
    from scrutiny_es.domain.policy import BUILT_IN

    return Policy(BUILT_IN.roles, acts_for=AnswersFor(session))


class Host:
    """What every request shares: the engine, the session factory, the record, the cookie's secret."""

    def __init__(self, url: str, secret: str, clock: Any = None) -> None:
        self.engine = council_engine(url)
        metadata.create_all(self.engine)
        self.session = scoped_session(sessionmaker(bind=self.engine))
        self.record = Scrutiny(session=self.session, clock=clock, policy=officers_answer_for_their_office(self.session))
        self.secret = secret.encode()

    @contextmanager
    def request(self) -> Iterator[None]:
        """One request's use of the session: whatever it left open is rolled back and the session given back."""
        try:
            yield
        finally:
            self.session.remove()

    def sign(self, text: str) -> str:
        return hmac.new(self.secret, text.encode(), hashlib.sha256).hexdigest()

    def cookie_for(self, who: Officer) -> str:
        return f"{who.id}:{self.sign(f'officer:{who.id}')}"

    def officer_from(self, request: Request) -> Officer | None:
        user_id, _, signature = request.cookies.get(COOKIE, "").partition(":")
        if not user_id.isdigit() or not hmac.compare_digest(signature, self.sign(f"officer:{user_id}")):
            return None
        return officer(self.session, int(user_id))

    def form_token(self, who: Officer) -> str:
        """A form's hidden token: a post from another site cannot know it (with the SameSite cookie, twice over)."""
        return self.sign(f"form:{who.id}")

    def close(self) -> None:
        self.record.close()
        self.session.remove()
        self.engine.dispose()


def council_engine(url: str) -> Engine:
    """The host's engine. A PostgreSQL URL may name one council of many, ``...?schema=haringey``, as the command
    line takes it: the engine's connections then use that schema (made if missing), and so does the record."""
    parsed = make_url(url)
    schema = parsed.query.get("schema")
    if not isinstance(schema, str) or parsed.get_backend_name() != "postgresql":
        return create_engine(url)
    engine = create_engine(
        parsed.difference_update_query(["schema"]), connect_args={"options": f"-c search_path={schema}"}
    )
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {engine.dialect.identifier_preparer.quote_identifier(schema)}"))
    return engine


def create_app(url: str, *, secret: str | None = None, clock: Any = None) -> FastAPI:
    """The application over the database at ``url`` (its ``users`` table and the record, in one engine)."""
    host = Host(url, secret or secrets.token_hex(32), clock)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        host.close()  # the server stops: the record's connections and the engine's are closed

    app = FastAPI(title="Scrutiny tracker", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.host = host

    def page(template: str, request: Request, status_code: int = 200, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, template, context, status_code=status_code)

    def signed_in_only(endpoint: Callable[..., Response]) -> Callable[..., Response]:
        """Runs the endpoint for a signed-in officer (passed as ``who``), in one request's session; else to sign-in."""

        @wraps(endpoint)
        def run(request: Request, *args: Any, **kwargs: Any) -> Response:
            with host.request():
                who = host.officer_from(request)
                if who is None:
                    return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
                return endpoint(request, *args, who=who, **kwargs)

        # FastAPI reads the wrapper's signature: the endpoint's, without ``who``
        run.__signature__ = _without_who(endpoint)  # type: ignore[attr-defined]
        return run

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/") -> Response:
        return page("login.html", request, next=_local(next), errors={})

    @app.post("/login")
    def login(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/")) -> Response:
        with host.request():
            who = signed_in(host.session, username, password)
        if who is None:
            errors = {"password": "That username and password do not match an officer's."}
            return page("login.html", request, 401, next=_local(next), errors=errors, username=username)
        done = RedirectResponse(_local(next), status_code=303)
        secure = request.url.scheme == "https"  # behind TLS, the cookie never travels in the clear
        done.set_cookie(COOKIE, host.cookie_for(who), httponly=True, samesite="lax", secure=secure)
        return done

    @app.post("/logout")
    def logout() -> Response:
        done = RedirectResponse("/login", status_code=303)
        done.delete_cookie(COOKIE)
        return done

    @app.get("/", response_class=HTMLResponse)
    @signed_in_only
    def bodies(request: Request, who: Officer) -> Response:
        return page("bodies.html", request, who=who, bodies=host.record.bodies())

    @app.get("/bodies/{body}", response_class=HTMLResponse)
    @signed_in_only
    def tracker(
        request: Request,
        body: str,
        who: Officer,
        status: str = "",
        rag: str = "",
        addressee: str = "",
        open: str = "",
        overdue: str = "",
        page_number: int = 1,
    ) -> Response:
        chosen = {"status": status, "rag": rag, "addressee": addressee, "open": open, "overdue": overdue}
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
                offset=(max(page_number, 1) - 1) * PAGE,
            )
        except InvalidQuery as e:  # a filter's value typed into the address by hand
            errors[e.field or "status"] = str(e)
        return page(
            "tracker.html",
            request,
            400 if errors else 200,
            who=who,
            body=found,
            rows=rows[:PAGE],
            more=len(rows) > PAGE,
            page_number=max(page_number, 1),
            chosen=chosen,
            errors=errors,
        )

    @app.get("/bodies/{body}/items/{ref:path}", response_class=HTMLResponse)
    @signed_in_only
    def card(request: Request, body: str, ref: str, who: Officer) -> Response:
        return item_page(request, body, ref, who)

    def item_page(
        request: Request, body: str, ref: str, who: Officer, status_code: int = 200, **forms: Any
    ) -> HTMLResponse:
        (row,) = host.record.tracker(body, ref)
        empty: dict[str, Any] = {"values": {}, "errors": {}, "problem": None}
        return page(
            "item.html",
            request,
            status_code,
            who=who,
            row=row,
            facts=host.record.item(body, ref),
            token=host.form_token(who),
            progress=forms.get("progress", empty),
            response=forms.get("response", empty),
            recorded=request.query_params.get("recorded"),
        )

    def record_from_form(
        request: Request, body: str, ref: str, who: Officer, token: str, form: str, cmd: dict[str, Any]
    ) -> Response:
        """Records the form's command and the host's own count in one transaction of the host's session (run
        again if another writer changed the item first); on a refusal, the card again with each message beside
        its field, and nothing recorded, of the record or of the host's. A form without this officer's token
        records nothing."""
        if not hmac.compare_digest(token, host.form_token(who)):
            return Response("This form has expired: open the page again.", status_code=403)
        values = {k: v for k, v in cmd.items() if k not in {"command", "actor", "body", "ref"}}
        command = {k: v for k, v in cmd.items() if v not in ("", None)} | {
            "actor": who.actor(),
            "body": body,
            "ref": ref,
        }

        def work() -> None:
            count_recorded(host.session, who)  # first: a refused command must undo it too
            host.record.execute(command)

        try:
            host.record.unit_of_work(work)
        except ScrutinyError as e:
            host.session.rollback()
            errors, problem = _beside_fields(e, set(values))
            shown = {"values": values, "errors": errors, "problem": problem}
            return item_page(request, body, ref, who, 422, **{form: shown})
        return RedirectResponse(f"/bodies/{quote(body)}/items/{quote(ref)}?recorded={form}", status_code=303)

    @app.post("/bodies/{body}/items/{ref:path}/progress")
    @signed_in_only
    def report_progress(
        request: Request,
        body: str,
        ref: str,
        who: Officer,
        token: str = Form(""),
        note: str = Form(""),
        reported_on: str = Form(""),
        reported_by: str = Form(""),
        rag: str = Form(""),
    ) -> Response:
        cmd = {"command": "report_progress", "note": note, "reported_on": reported_on,
               "reported_by": reported_by, "rag": rag}  # fmt: skip
        return record_from_form(request, body, ref, who, token, "progress", cmd)

    @app.post("/bodies/{body}/items/{ref:path}/response")
    @signed_in_only
    def record_response(
        request: Request,
        body: str,
        ref: str,
        who: Officer,
        token: str = Form(""),
        addressee: str = Form(""),
        decision: str = Form(""),
        text: str = Form(""),
        responded_on: str = Form(""),
        responded_by: str = Form(""),
        target_date: str = Form(""),
    ) -> Response:
        cmd = {"command": "record_response", "addressee": addressee, "decision": decision, "text": text,
               "responded_on": responded_on, "responded_by": responded_by, "target_date": target_date}  # fmt: skip
        return record_from_form(request, body, ref, who, token, "response", cmd)

    @app.get("/overdue", response_class=HTMLResponse)
    @signed_in_only
    def overdue(request: Request, who: Officer, body: str = "", page_number: int = 1) -> Response:
        rows = host.record.overdue(body or None, limit=PAGE + 1, offset=(max(page_number, 1) - 1) * PAGE)
        return page("overdue.html", request, who=who, body=body, rows=rows[:PAGE], more=len(rows) > PAGE,
                    page_number=max(page_number, 1), today=host.record.today())  # fmt: skip

    @app.exception_handler(ScrutinyError)
    def not_found(request: Request, e: ScrutinyError) -> Response:
        """A body or item that is not there (a link typed by hand): the library's sentence, as a page."""
        return page("problem.html", request, 404, message=str(e))

    return app


def _beside_fields(error: ScrutinyError, fields: set[str]) -> tuple[dict[str, str], str | None]:
    """Each message beside the form's field it names; what names no field of the form, above the form."""
    problems = error.problems if isinstance(error, InvalidCommand) else [(error.field or "", str(error))]
    errors: dict[str, str] = {}
    above = []
    for field, reason in problems:
        if field in fields:
            errors.setdefault(field, reason)
        else:
            above.append(reason if isinstance(error, InvalidCommand) and not field else str(error))
    return errors, " ".join(dict.fromkeys(above)) or None


def _local(path: str) -> str:
    """Only a path on this site may be where sign-in goes next (never another site)."""
    return path if path.startswith("/") and not path.startswith("//") else "/"


def _without_who(endpoint: Callable[..., Any]) -> Any:
    import inspect

    signature = inspect.signature(endpoint)
    return signature.replace(parameters=[p for p in signature.parameters.values() if p.name != "who"])
