"""Reminders sent from the example host's page, through a real SMTP server on a loopback port.

The page shows who owes what and which of them the host has an address for; sending mails each of
them once and records it, so a second press the same day sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from selenium.webdriver.common.by import By

from scrutiny_es import Mailer, Scrutiny, SmtpMailer
from tests.e2e.host_site import check_page, follow, seed, serving, sign_in, start_chromium
from tests.e2e.test_reminders import Inbox, free_port


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        yield inbox, port
    finally:
        server.stop()


def test_a_clerk_sees_who_owes_what_and_sends_each_a_reminder_once(
    tmp_path: Path, db_url: str, inbox: tuple[Inbox, int]
) -> None:
    messages, port = inbox
    url = db_url
    seed(url, items=2)

    def mail(on: date) -> Mailer:
        return SmtpMailer("127.0.0.1", port, "scrutiny@sandwell.example", on)

    driver = start_chromium(tmp_path / "profile")
    try:
        with serving(url, mail=mail, contacts={"Cabinet": "cabinet@sandwell.example"}) as site:
            sign_in(driver, site)
            driver.get(f"{site}/bodies/BCSB")
            follow(driver, driver.find_element(By.ID, "task-reminders"))
            table = driver.find_element(By.ID, "reminders").text
            assert "cabinet@sandwell.example" in table and "Response late" in table
            check_page(driver, "reminders")
            follow(driver, driver.find_element(By.ID, "send-reminders"))
            assert driver.find_element(By.ID, "sent").text.endswith("Reminders sent to 1 person.")
            assert [rcpt for _, rcpt, _ in messages.messages] == [["cabinet@sandwell.example"]]
            follow(driver, driver.find_element(By.ID, "send-reminders"))
            assert driver.find_element(By.ID, "sent").text.endswith("Reminders sent to 0 people."), "not twice a day"
            assert len(messages.messages) == 1
    finally:
        driver.quit()
    record = Scrutiny(url)
    reminded = [e for e in record.audit() if e.event == "ReminderRecorded" or "Reminder" in e.event]
    record.close()
    assert len(reminded) == 2, "one on each item it was about"
