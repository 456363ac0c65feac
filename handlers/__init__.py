"""Lambda entry points: each parses its event, calls one function and returns."""
