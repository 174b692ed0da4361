"""Everything with I/O: persistence, read-model tables, the command line."""
