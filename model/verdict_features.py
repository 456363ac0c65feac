"""What the layer learnt from verdicts reads, and when it starts: names and limits only, importable without
scikit-learn (the API and the CheckModels step read them; `model.learning` computes them)."""

from __future__ import annotations

from model.features import FEATURE_NAMES

# Confirmed frauds (and verdicts of any kind) on transactions of the same merchant, and of the same account,
# in these windows of transaction time before the transaction, counting only verdicts known by then.
VERDICT_FEATURES: tuple[str, ...] = (
    "merchant_frauds_7d",
    "merchant_frauds_14d",
    "merchant_frauds_30d",
    "merchant_verdicts_14d",
    "merchant_verdicts_30d",
    "merchant_fraud_rate_14d",  # frauds among the verdicts
    "merchant_fraud_rate_30d",
    "account_frauds_14d",
    "account_frauds_30d",
    "account_verdicts_30d",
    # Alerts in the account (a base score of MEDIUM or more) judged not fraud: what "not fraud" teaches of it.
    "account_cleared_30d",
)
# What the layer reads, in its input's column order (model.learning.learning_inputs).
LAYER_INPUTS: tuple[str, ...] = ("base_score", *FEATURE_NAMES, *VERDICT_FEATURES)
# Too few verdicts teach a classifier the noise: below these, the base score stands alone.
MIN_FRAUDS = 30
MIN_VERDICTS = 300
