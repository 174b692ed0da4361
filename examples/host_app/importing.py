"""Bringing a council's tracker file, or a meeting's minutes, in from the browser: uploaded, checked, then
recorded.

The clerk sees every command the file would record (each with its line or row, and each cell that
cannot be read; or each resolution of the minutes with what it became and the phrase that decided
it) before anything is written; only then does a second post record it (the same file, kept on the
server for that session alone, and removed once recorded, once another is checked for the same form,
once its page's token ends, or when the server stops).
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from examples.host_app.sessions import TOKEN_LIFETIME
from examples.host_app.tasks import POLICY
from examples.host_app.words import plain, read_date
from scrutiny_es import ScrutinyError

MOST = 5 * 1024 * 1024
"""The largest file taken (a council's tracker is a few hundred kilobytes)."""
LONGEST_POST = MOST + 1024 * 1024
"""The longest post read: a file and its form. A longer one is refused, signed in or not, and none of it kept."""
THROWN_AWAY = 100 * 1024 * 1024
"""The longest post read (to be thrown away) before it is refused: longer, and it is refused before it is read."""
SUFFIXES = {"import": (".csv", ".xlsx", ".docx"), "minutes": (".txt", ".md", ".docx", ".pdf")}
DOING = {"import": "may bring in a tracker file", "minutes": "may draft from the minutes"}
WHAT = {"import": "a CSV, Excel (.xlsx) or Word (.docx) file", "minutes": "a text, Markdown, Word or PDF file"}


def may_import(role_name: str) -> bool:
    """Importing records every kind of fact: only a role the policy lets record everything."""
    role = POLICY.role(role_name)
    return role is not None and "*" in role.may


async def too_long(request: Request) -> tuple[int, str] | None:
    """Why a post is refused unread (its status and words), else None: longer than a file and its form may be, or of
    a length it does not say (chunked), so nobody fills the server's disk or memory with one post, signed in or not.
    One up to ``THROWN_AWAY`` long is read and thrown away first, so a browser sending it shows the answer."""
    length, chunked = request.headers.get("content-length"), "transfer-encoding" in request.headers
    if request.method not in ("POST", "PUT", "PATCH") or (length is None and not chunked):
        return None
    if length is None:
        return 411, "Nothing was recorded: a form must say how long it is. Send it from the page's button."
    if length.isdigit() and int(length) <= LONGEST_POST:
        return None
    if length.isdigit() and int(length) <= THROWN_AWAY:
        async for _ in request.stream():
            pass
    return 413, f"Nothing was recorded: a file must be smaller than {MOST // 1024 // 1024} MB, with its form."


def refused(page: Callable[..., Response], request: Request, visit: Any, what: str) -> Response:
    """A page an officer's role may not see: the same refusal for each, saying who may."""
    return page("problem.html", request, 403, visit=visit, title="You cannot do this",
                message=f"Only a role that may record everything {what}.")  # fmt: skip


def add_import(app: FastAPI, host: Any, page: Callable[..., Response], visit_of: Callable[[Request], Any]) -> None:
    """The import's pages, on the application's host (its record, sessions and pages)."""
    folder = app.state.uploads = Path(tempfile.mkdtemp(prefix="scrutiny-host-uploads-"))  # removed as it stops
    owners: dict[str, tuple[str, str, str]] = {}  # upload id -> the session, body and kind it was checked for
    meetings: dict[str, date | None] = {}  # upload id -> the minutes' meeting, as the clerk gave it
    checked_at: dict[str, float] = {}  # upload id -> when it was checked

    def forget(upload_id: str) -> None:
        shutil.rmtree(folder / upload_id, ignore_errors=True)
        owners.pop(upload_id, None)
        meetings.pop(upload_id, None)
        checked_at.pop(upload_id, None)

    def forget_stale(owner: tuple[str, str, str]) -> None:
        """A file kept on the server waits for one form: a newer file checked for the same form (session, body
        and kind) replaces it, and none outlives its page's token, so nothing a clerk checked stays on disk."""
        at = host.sessions.now()
        for upload_id, of in list(owners.items()):
            if of == owner or at - checked_at.get(upload_id, at) > TOKEN_LIFETIME:
                forget(upload_id)

    @app.get("/bodies/{body}/{kind}")
    def import_form(request: Request, body: str, kind: str) -> Response:
        with host.request():
            visit = visit_of(request)
            if visit is None:
                return RedirectResponse("/login", status_code=303)
            if not may_import(visit.who.role):
                return refused(page, request, visit, DOING.get(kind, DOING["import"]))
            return page(f"{_kind(kind)}.html", request, visit=visit, body=host.record.body(body), errors={})

    @app.post("/bodies/{body}/{kind}")
    async def check_file(request: Request, body: str, kind: str) -> Response:
        form = await request.form()
        upload = form.get("file")
        content = await upload.read(MOST + 1) if isinstance(upload, UploadFile) else b""
        name = upload.filename or "" if isinstance(upload, UploadFile) else ""
        token = str(form.get("token", ""))
        typed = {part: str(form.get(f"meeting_date-{part}", "")) for part in ("day", "month", "year")}
        return await run_in_threadpool(lambda: checked(request, body, _kind(kind), token, name, content, typed))

    def checked(request: Request, body: str, kind: str, token: str, name: str, content: bytes,
                typed: dict[str, str]) -> Response:  # fmt: skip
        with host.request():
            visit = visit_of(request)
            if visit is None:
                return RedirectResponse("/login", status_code=303)
            if not host.sessions.use_token(host.session, visit.session_hash, token):
                host.session.commit()
                return page(
                    "problem.html",
                    request,
                    403,
                    visit=visit,
                    title="This form has expired",
                    message="Nothing was recorded. Open the page again and choose the file again.",
                )
            host.session.commit()
            if not may_import(visit.who.role):
                return refused(page, request, visit, DOING.get(kind, DOING["import"]))
            found = host.record.body(body)
            # the name kept on the server: ASCII, and a name of other letters only (Ω.csv) keeps its suffix; no longer
            # than a file system takes (a name of 300 letters was a server error)
            stem, suffix = Path(Path(name).name).stem, Path(Path(name).name).suffix
            safe = ((re.sub(r"[^A-Za-z0-9._-]+", "-", stem)[:100].strip(".-") or "file")
                    + re.sub(r"[^A-Za-z0-9.]", "", suffix)[:10])  # fmt: skip
            fits = safe.lower().endswith(SUFFIXES[kind])
            error = ("Select a tracker file" if kind == "import" and not content else
                     "Select the minutes" if not content else
                     "The file must be smaller than 5 MB" if len(content) > MOST else
                     f"The file must be {WHAT[kind]}" if not fits else None)  # fmt: skip
            # the minutes' meeting, where their heading does not give it (a tracker file names each item's)
            meeting, wrong = read_date("date of the meeting", *typed.values()) if kind == "minutes" else ("", None)
            errors = {key: said for key, said in (("meeting_date", wrong), ("file", error)) if said}
            if errors:
                return page(f"{kind}.html", request, 422, visit=visit, body=found, errors=errors, typed=typed)
            meeting_on = date.fromisoformat(meeting) if meeting else None
            forget_stale((visit.session_hash, body, kind))
            upload_id = secrets.token_hex(16)
            (folder / upload_id).mkdir()
            path = folder / upload_id / safe
            path.write_bytes(content)
            owners[upload_id], meetings[upload_id] = (visit.session_hash, body, kind), meeting_on
            checked_at[upload_id] = host.sessions.now()
            try:
                plan = checked_plan(kind, path, body, visit, meeting_on)
            except ScrutinyError as e:
                forget(upload_id)
                # a date the minutes lack, or one they do not hold, is said beside the date's boxes
                beside = "meeting_date" if e.field == "meeting_date" else "file"
                return page(f"{kind}.html", request, 422, visit=visit, body=found, errors={beside: str(e)},
                            typed=typed)  # fmt: skip
            return page(f"{kind}.html", request, visit=visit, body=found, errors={}, plan=plan, upload_id=upload_id,
                        file_name=safe)  # fmt: skip

    def checked_plan(kind: str, path: Path, body: str, visit: Any, meeting: date | None) -> Any:
        """What the file would record: the import's plan by a dry run, or the minutes' draft (which records
        nothing)."""
        if kind == "import":
            return host.record.import_tracker(path, body=body, actor=visit.who.actor(), dry_run=True).plan
        return host.record.draft_minutes(path, body=body, meeting_date=meeting, actor=visit.who.actor())

    def record(kind: str, path: Path, body: str, visit: Any, meeting: date | None) -> None:
        if kind == "import":
            host.record.import_tracker(path, body=body, actor=visit.who.actor())
        else:
            host.record.execute_many(checked_plan(kind, path, body, visit, meeting).commands)

    @app.post("/bodies/{body}/{kind}/{upload_id}")
    async def record_file(request: Request, body: str, kind: str, upload_id: str) -> Response:
        token = str((await request.form()).get("token", ""))
        return await run_in_threadpool(lambda: recorded(request, body, _kind(kind), upload_id, token))

    def recorded(request: Request, body: str, kind: str, upload_id: str, token: str) -> Response:
        with host.request():
            visit = visit_of(request)
            if visit is None:
                return RedirectResponse("/login", status_code=303)
            fresh = host.sessions.use_token(host.session, visit.session_hash, token)
            host.session.commit()
            files = list((folder / upload_id).glob("*")) if re.fullmatch(r"[0-9a-f]{32}", upload_id) else []
            # recorded only as checked: by the same session, into the body and as the kind the clerk saw
            if not fresh or owners.get(upload_id) != (visit.session_hash, body, kind) or not files:
                return page("problem.html", request, 403, visit=visit, title="This form has expired",
                            message="Nothing was recorded. Choose the file again.")  # fmt: skip
            if not may_import(visit.who.role):
                return refused(page, request, visit, DOING.get(kind, DOING["import"]))
            try:
                host.record.unit_of_work(lambda: record(kind, files[0], body, visit, meetings.get(upload_id)))
            except ScrutinyError as e:
                host.session.rollback()
                return page("problem.html", request, 422, visit=visit, title="Nothing was recorded",
                            message=plain(str(e)))  # fmt: skip
            forget(upload_id)
            told: Response = host.told(visit.session_hash, f"/bodies/{quote(body)}", "recorded", "Recorded.")
            return told


def _kind(kind: str) -> str:
    """``import`` (a tracker file) or ``minutes``; any other page is not there."""
    if kind not in SUFFIXES:
        raise NotFound(f"There is no page called {kind}")
    return kind


class NotFound(Exception):
    """A page of the host's that is not there (an item's ref, a task's name, a kind of file)."""
