"""Settings: every default in one object; values from QA_* variables are parsed and range-checked."""

import dataclasses

import pytest

from qa.errors import QAError, SettingsError
from qa.settings import Settings


def test_environment_overrides_defaults_and_explicit_values_override_both(monkeypatch):
    monkeypatch.setenv("QA_K", " 7 ")
    monkeypatch.setenv("QA_DENSE_WEIGHT", "0.5")
    monkeypatch.setenv("QA_TITLE_IN_LEXICAL", "On")
    monkeypatch.setenv("QA_QUESTION_ENCODER", "torch")
    monkeypatch.setenv("QA_INDEX", "/tmp/elsewhere")
    s = Settings.from_env(index_dir="mine")
    assert (s.k, s.dense_weight, s.title_in_lexical, s.question_encoder, str(s.index_dir)) == (7, 0.5, True, "torch", "mine")
    monkeypatch.setenv("QA_TITLE_IN_LEXICAL", "no")
    assert Settings.from_env().title_in_lexical is False


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("QA_K", "abc", "QA_K must be a whole number, not 'abc'"),
        ("QA_K", "0", "QA_K must be from 1"),
        ("QA_K", "21", "must not exceed QA_MAX_K (20)"),
        ("QA_BM25_K1", "nan", "QA_BM25_K1 must be a number"),
        ("QA_BM25_B", "1.5", "QA_BM25_B must be from 0 to 1"),
        ("QA_DENSE_FLOOR", "1", "QA_DENSE_FLOOR must be from -1 to 0.99"),
        ("QA_TITLE_IN_LEXICAL", "maybe", "QA_TITLE_IN_LEXICAL must be one of 1/true/yes/on/0/false/no/off"),
        ("QA_QUESTION_ENCODER", "onnx", "QA_QUESTION_ENCODER must be one of onnx-int8, torch-int8, torch, not 'onnx'"),
        ("QA_RELOAD_INTERVAL", "0", "QA_RELOAD_INTERVAL must be from"),
        ("QA_MODEL", " ", "QA_MODEL must not be empty"),
    ],
)
def test_bad_environment_values_raise_a_settings_error_naming_the_variable(monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")) as e:
        Settings.from_env()
    assert isinstance(e.value, QAError)  # so every edge (CLI, server start) turns it into a message


def test_constructing_or_replacing_with_a_bad_value_is_refused_too():
    with pytest.raises(SettingsError, match="QA_CANDIDATES"):
        Settings(candidates=0)
    with pytest.raises(SettingsError, match="QA_PORT"):
        Settings().replace(port=-1)
    with pytest.raises(SettingsError, match="QA_K must be a whole number"):
        dataclasses.replace(Settings(), k=True)
    with pytest.raises(SettingsError, match="QA_CANDIDATES must be a whole number, not 2.5"):
        Settings(candidates=2.5)


def test_every_default_is_valid_and_every_numeric_setting_is_range_checked():
    from qa.settings import _RANGES

    numeric = {f.name for f in dataclasses.fields(Settings) if f.type in ("int", "float")}
    assert numeric == set(_RANGES)
    Settings()  # the defaults pass their own checks
