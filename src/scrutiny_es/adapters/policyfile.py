"""A deployment's policy of who may record what, read from its TOML file."""

from __future__ import annotations

import tomllib
from pathlib import Path

from scrutiny_es.domain.errors import ScrutinyError
from scrutiny_es.domain.policy import Policy


def load_policy(path: str | Path) -> Policy:
    """The policy in the TOML file at ``path`` (see ``scrutiny_es.domain.policy`` for its shape)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise ScrutinyError(f"the policy {path}: {e.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ScrutinyError(f"the policy {path} is not TOML: {e}") from None
    return Policy.from_data(data, f"the policy {path}")
