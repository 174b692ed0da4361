"""The pure model: aggregates, events, commands, deadline rules and errors."""
