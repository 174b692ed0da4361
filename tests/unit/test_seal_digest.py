"""The seal's digest of an event depends on the event, not on how the database keeps its aggregate's id."""

from __future__ import annotations

from hashlib import sha256
from uuid import UUID

from scrutiny_es.projections.seal import ZERO, seal

ID = UUID("00042281-01dd-5e14-ad0e-e1c77690bece")
STATE = b'{"body":"SNAC"}'


def test_the_digest_is_the_documented_hash_of_the_previous_digest_and_the_event() -> None:
    expected = sha256(
        ZERO + b"00042281-01dd-5e14-ad0e-e1c77690bece\n3\nscrutiny_es.domain.model:Body.Registered\n" + STATE
    )
    assert seal(ZERO, (7, ID, 3, "scrutiny_es.domain.model:Body.Registered", STATE)) == expected.digest()


def test_sqlite_hex_postgresql_uuid_and_hyphenated_text_give_one_digest() -> None:
    forms = [ID, ID.hex, str(ID), ID.hex.upper(), f"{{{ID}}}"]  # SQLite keeps the 32 hex digits, PostgreSQL a uuid
    digests = {seal(ZERO, (1, form, 1, "t", STATE)) for form in forms}
    assert len(digests) == 1
