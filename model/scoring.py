"""Scoring an account's transactions: IsolationForest fit, the paper's 0-1 score, risk level and reasons.

Used by the detector Lambda and by `isoflow score`, so both give the same scores for the same history.

Each account gets its own IsolationForest, fitted on the account's history before the transactions being
scored (what is normal for this account; when that is too short, the whole window) together with the
population's reference sample (what is ordinary in any account, which makes scores comparable between
accounts; see `model.population`). The score is the paper's s(x, n) = 2^(-E[h(x)]/c(n)) over the trees of
that forest and of the population forest together (`model.forest.joint_score`): the account's trees weigh
what is unusual for this account, the population's trees what is unusual in any account, and neither alone
decides. When even the window is too short, the population forest scores alone. Either way the score means
the same in every account and every run.

A fitted account model can be kept in a `ModelStore` between runs: when the rows it was fitted on are still
the account's history with at most a few rows added (or aged out of the window), it is reused instead of
refitted, so scoring one to three new transactions costs a load and a predict, and gives the same scores as
refitting on that same history.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Protocol

import joblib
import numpy as np
from sklearn.ensemble import IsolationForest

from model.config import DEFAULT_CONFIG, MODEL_VERSION, ScoringConfig
from model.explain import explain
from model.features import FEATURE_NAMES
from model.forest import CompactForest, joint_score
from model.population import PopulationModel, load_population


@dataclass(frozen=True)
class Score:
    score: float  # 0-1, the IsolationForest paper's anomaly score
    risk_level: str  # LOW | MEDIUM | HIGH
    is_anomaly: bool
    reasons: tuple[str, ...]
    model_version: str


class ModelStore(Protocol):
    """Where fitted account models are kept between runs (S3 in the detector, a dict in tests)."""

    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, data: bytes) -> None: ...


class InMemoryModelStore:
    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.blobs.get(key)

    def put(self, key: str, data: bytes) -> None:
        self.blobs[key] = data


@dataclass
class _AccountModel:
    """What is persisted for an account: the forest (as flat arrays, see `model.forest`), the sorted training
    columns (for reasons) and the digests of the training rows (to recognise the same history next run)."""

    forest: CompactForest
    sorted_columns: np.ndarray  # shape (n_features, n_rows), each row sorted ascending
    row_digests: list[bytes]
    population_version: str
    version: str = MODEL_VERSION


def feature_matrix(rows: Sequence[Mapping[str, float]]) -> np.ndarray:
    """The model's input matrix from feature dicts (missing features count as usual, 0)."""
    return np.array([[float(row.get(name, 0.0)) for name in FEATURE_NAMES] for row in rows], dtype=np.float64)


def seed_for(account_id: str) -> int:
    """A random_state derived from the account id, the same in every process (unlike hash())."""
    return int.from_bytes(hashlib.sha256(account_id.encode()).digest()[:4], "big")


def model_key(account_id: str) -> str:
    return f"account-models/{MODEL_VERSION}/{account_id}.joblib"


def risk_level(score: float, config: ScoringConfig = DEFAULT_CONFIG) -> str:
    if score >= config.high_threshold:
        return "HIGH"
    if score >= config.medium_threshold:
        return "MEDIUM"
    return "LOW"


def score_account(
    account_id: str,
    history: Sequence[Mapping[str, float]],
    targets: Sequence[int],
    models: ModelStore | None = None,
    config: ScoringConfig = DEFAULT_CONFIG,
    population: PopulationModel | None = None,
) -> list[Score]:
    """Score `history[i]` for each i in `targets`; `history` is the account's recent window in time order."""
    if not targets:
        return []
    population = population or load_population()
    if any(not 0 <= i < len(history) for i in targets):
        raise IndexError(f"target index out of range for a history of {len(history)} transactions")
    matrix = feature_matrix(history)
    first_target = min(targets)
    if first_target >= config.min_history:
        training = matrix[:first_target]
    elif len(history) >= config.min_history:
        training = matrix
    else:
        return _scores(
            population.score(matrix[targets]),
            population.score,
            population.sorted_columns,
            matrix,
            history,
            targets,
            f"{MODEL_VERSION}/population-{population.version}",
            config,
        )

    account_model = _account_model(account_id, training, population, models, config)
    forests = [account_model.forest, population.compact]
    raw = joint_score(forests, matrix[targets])
    version = f"{MODEL_VERSION}/account+population-{population.version}"
    scorer = partial(joint_score, forests)
    return _scores(raw, scorer, account_model.sorted_columns, matrix, history, targets, version, config)


def _scores(
    raw: np.ndarray,
    scorer: Callable[[np.ndarray], np.ndarray],
    sorted_columns: np.ndarray,
    matrix: np.ndarray,
    history: Sequence[Mapping[str, float]],
    targets: Sequence[int],
    version: str,
    config: ScoringConfig,
) -> list[Score]:
    """The scores of `history[i]` for each i in `targets` from their `raw` values. MEDIUM and HIGH ones get
    reasons, found by scoring variants of their rows in `matrix` with `scorer`, the function that gave `raw`."""
    scores = [round(float(value), 6) for value in raw]
    levels = [risk_level(score, config) for score in scores]
    explained = [i for i, level in zip(targets, levels, strict=True) if level != "LOW"]
    reasons = explain([history[i] for i in explained], matrix[explained], scorer, sorted_columns, config)
    said = dict(zip(explained, reasons, strict=True))
    return [
        Score(score, level, level == "HIGH", said.get(i, ()), version)
        for score, level, i in zip(scores, levels, targets, strict=True)
    ]


def _account_model(
    account_id: str,
    training: np.ndarray,
    population: PopulationModel,
    models: ModelStore | None,
    config: ScoringConfig,
) -> _AccountModel:
    digests = [hashlib.blake2b(row.tobytes(), digest_size=8).digest() for row in training]
    key = model_key(account_id)
    if models is not None:
        blob = models.get(key)
        if blob is not None:
            stored: _AccountModel = joblib.load(io.BytesIO(blob))
            if (
                stored.version == MODEL_VERSION
                and stored.population_version == population.version
                and _still_fits(stored.row_digests, digests, config)
            ):
                return stored
    rows = np.vstack([training, population.reference])
    forest = CompactForest.from_forest(
        IsolationForest(
            n_estimators=config.n_estimators,
            max_samples=min(config.max_samples, len(rows)),
            random_state=seed_for(account_id),
        ).fit(rows)
    )
    fitted = _AccountModel(forest, np.sort(training.T, axis=1), digests, population.version)
    if models is not None:
        buffer = io.BytesIO()
        joblib.dump(fitted, buffer, compress=config.model_compression)
        models.put(key, buffer.getvalue())
    return fitted


def _still_fits(fitted: list[bytes], current: list[bytes], config: ScoringConfig) -> bool:
    """Whether the rows a model was fitted on are still this history, give or take a few at either end."""
    tolerance = max(config.reuse_min_changes, math.ceil(config.reuse_fraction * len(fitted)))
    for added in range(min(tolerance, len(current) - 1) + 1):
        end = len(current) - added
        if current[end - 1] != fitted[-1]:
            continue
        overlap = min(len(fitted), end)
        dropped = len(fitted) - overlap
        return added + dropped <= tolerance and current[end - overlap : end] == fitted[-overlap:]
    return False
