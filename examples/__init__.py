"""Examples of hosts that embed scrutiny_es (not part of the library)."""
