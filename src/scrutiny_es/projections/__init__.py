"""Read models as pure folds of the event stream."""
