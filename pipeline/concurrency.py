"""Reserved concurrency, for deployments that turn it on (context `reservedConcurrency`).

A reservation caps a function, so that a backlog of detection runs never starves the API or DynamoDB, and
guarantees it that much of the account's concurrency. It comes out of the account's quota, of which Lambda
keeps 100 unreserved: the account needs a quota of at least the reservations' sum plus 100, and new accounts
start lower, so a default deployment reserves nothing.

Each function is sized by how many of it a run starts at once: those the detection Map invokes for each batch
by the Map's MaxConcurrency, the others (one run at a time, or one schedule) by RUN_AT_A_TIME.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields

from isoflow.functions import FUNCTIONS
from isoflow.workflow import FunctionArns, Tuning, definition
from pipeline.workflow import states_of

# One run, plus the one a retry or an overlapping schedule may start before the first has finished.
RUN_AT_A_TIME = 2
# Concurrency Lambda keeps unreserved in every account: reservations may take only what is above it.
UNRESERVED_MINIMUM = 100


def map_invoked(tuning: Tuning) -> dict[str, int]:
    """Function name -> how many the detection workflow's Maps invoke at once."""
    placeholders = FunctionArns(**{field.name: field.name for field in fields(FunctionArns)})
    at_once: dict[str, int] = {}
    for state in states_of(definition(placeholders, tuning)):
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if state["Type"] != "Map" or not processor:
            continue
        for inner in states_of(processor):
            function = inner.get("Parameters", {}).get("FunctionName")
            if function:
                name = function.replace("_", "-")
                at_once[name] = max(at_once.get(name, 0), state["MaxConcurrency"])
    return at_once


def reservations(tuning: Tuning, *, unreserved: Iterable[str]) -> dict[str, int]:
    """Function name -> its reservation, for every function but the `unreserved` ones (the API, which serves
    people and scales with them on the account's shared pool)."""
    in_maps = map_invoked(tuning)
    shared = set(unreserved)
    return {spec.name: in_maps.get(spec.name, RUN_AT_A_TIME) for spec in FUNCTIONS if spec.name not in shared}
