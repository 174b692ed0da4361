"""Read models held in memory: the same folds as the SQL ones, for tests and scripts without a database."""
