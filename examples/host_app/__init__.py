"""A council's web application that embeds scrutiny_es: its own signed-in officers, the library's record.

It shares one SQLAlchemy engine and session between its ``users`` table and the record, so a
form's command is recorded in the host's own transaction. See README.md beside this file.
"""
