"""Settings precedence: explicit > environment > featurewatch.toml > defaults."""

from __future__ import annotations

import pytest

from featurewatch.errors import ConfigError
from featurewatch.settings import load_settings


def test_precedence(tmp_path):
    toml = tmp_path / "featurewatch.toml"
    toml.write_text('log_dir = "from-toml"\nsample_rate = 0.5\nmax_string_length = 100\n'
                    '[elasticsearch]\nurl = "http://toml:9200"\n[detect]\nmin_count = 50\n')
    env = {"FEATUREWATCH_SAMPLE_RATE": "0.25", "FEATUREWATCH_LOG_DIR": "from-env",
           "FEATUREWATCH_ES_API_KEY": "secret-key"}
    settings = load_settings({"log_dir": "explicit"}, environ=env, config_file=toml)
    assert settings.log_dir == "explicit"
    assert settings.sample_rate == 0.25
    assert settings.max_string_length == 100
    assert settings.es.url == "http://toml:9200" and settings.es.api_key == "secret-key"
    assert settings.detect == {"min_count": 50}
    assert "secret-key" not in repr(settings)


@pytest.mark.parametrize("env, message", [
    ({"FEATUREWATCH_SAMPLE_RATE": "lots"}, "FEATUREWATCH_SAMPLE_RATE"),
    ({"FEATUREWATCH_ENABLED": "maybe"}, "FEATUREWATCH_ENABLED"),
    ({"FEATUREWATCH_REDACT_MODE": "blur"}, "redact_mode"),
])
def test_bad_values_name_the_setting(env, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(environ=env)


def test_unknown_toml_key_and_broken_file(tmp_path):
    bad = tmp_path / "a.toml"
    bad.write_text("log_dri = 'x'\n")
    with pytest.raises(ConfigError, match="unknown setting 'log_dri'"):
        load_settings(environ={}, config_file=bad)
    broken = tmp_path / "b.toml"
    broken.write_text("log_dir = \n")
    with pytest.raises(ConfigError, match="cannot parse"):
        load_settings(environ={}, config_file=broken)


def test_bad_index_prefix_is_a_config_error():
    with pytest.raises(ConfigError):
        load_settings(environ={"FEATUREWATCH_ES_INDEX_PREFIX": "Bad Prefix"})
