"""The read models in SQL: schema, writers, the fast path into the driver, the runner and the queries."""
