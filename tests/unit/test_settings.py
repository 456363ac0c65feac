from __future__ import annotations

import pytest

from isoflow.functions import FUNCTIONS
from isoflow.settings import ENVIRONMENT, MissingSettingError, Settings


def test_missing_settings_are_named_at_cold_start() -> None:
    with pytest.raises(MissingSettingError, match="ACCOUNTS_TABLE, DATA_BUCKET"):
        Settings.from_env(("accounts_table", "data_bucket"), environ={"TRANSACTIONS_TABLE": "t"})


def test_settings_round_trip_through_the_environment() -> None:
    environ = {variable: f"value-of-{variable}" for variable in ENVIRONMENT.values()}
    settings = Settings.from_env(ENVIRONMENT, environ=environ)
    assert settings.as_environment() == environ


def test_every_function_names_only_known_settings() -> None:
    for spec in FUNCTIONS:
        assert set(spec.settings) <= set(ENVIRONMENT), spec.name
