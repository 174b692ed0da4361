"""A deployment's policy of who may record what, read from its TOML file."""

from __future__ import annotations

import tomllib
from pathlib import Path

from scrutiny_es.domain.errors import ScrutinyError
from scrutiny_es.domain.policy import Policy

MAX_POLICY = 1_000_000
"""Bytes of a policy file: a council's roles and the addressees each officer answers for fit in far fewer."""


def load_policy(path: str | Path) -> Policy:
    """The policy in the TOML file at ``path`` (see ``scrutiny_es.domain.policy`` for its shape)."""
    try:
        size = Path(path).stat().st_size
        if size > MAX_POLICY:
            msg = f"the policy {path} is {size:,} bytes; a policy is at most {MAX_POLICY:,}"
            raise ScrutinyError(msg)
        # utf-8-sig: a file saved with a byte-order mark (as Windows Notepad may) is read, not refused as not TOML
        data = tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as e:
        raise ScrutinyError(f"the policy {path}: {e.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ScrutinyError(f"the policy {path} is not TOML: {e}") from None
    except RecursionError:  # tomllib reads nested arrays and tables by recursion
        msg = f"the policy {path} nests its arrays or tables too deeply to be a policy (a policy needs two levels)"
        raise ScrutinyError(msg) from None
    return Policy.from_data(data, f"the policy {path}")
