"""Thresholds from featurewatch.toml's [detect] table: defaults, per check, per feature."""

from __future__ import annotations

import numpy as np
import pytest

from featurewatch.detect import DetectConfig, detect_profile
from featurewatch.errors import ConfigError
from featurewatch.settings import load_settings
from helpers import profile_frame, synthetic_frame


def _null_window() -> object:
    frame = synthetic_frame(3000, seed=4)
    frame.loc[np.arange(len(frame)) % 10 == 0, "amount"] = np.nan  # 10% nulls: a warning by default
    return frame


class TestDetectConfig:
    def test_defaults(self):
        config = DetectConfig.from_table({})
        assert config.alpha == 0.01 and config.thresholds("na_spike").warning == 0.05

    def test_feature_override_wins(self):
        config = DetectConfig.from_table({"na_spike": {"warning": 0.2},
                                          "features": {"amount": {"na_spike": {"warning": 0.02}}}})
        assert config.thresholds("na_spike", "amount").warning == 0.02
        assert config.thresholds("na_spike", "age").warning == 0.2

    def test_override_changes_findings(self, synth):
        profile = profile_frame(synth, _null_window(), prediction="score")
        checks = lambda r: {(f.check, f.feature, f.severity) for f in r.findings}  # noqa: E731
        assert ("na_spike", "amount", "warning") in checks(detect_profile(synth, profile))
        quiet = DetectConfig.from_table({"features": {"amount": {"na_spike": {"warning": 0.5, "critical": 0.9}}}})
        assert not any(c[:2] == ("na_spike", "amount") for c in checks(detect_profile(synth, profile, quiet)))
        off = DetectConfig.from_table({"features": {"amount": {"enabled": False}}})
        assert not any(c[1] == "amount" for c in checks(detect_profile(synth, profile, off)))
        loud = DetectConfig.from_table({"na_spike": {"critical": 0.08}})
        assert ("na_spike", "amount", "critical") in checks(detect_profile(synth, profile, loud))

    @pytest.mark.parametrize("table,message", [
        ({"nonsense": 1}, "unknown setting 'nonsense' in \\[detect\\]"),
        ({"na_spike": {"warnin": 0.1}}, "unknown setting 'warnin'"),
        ({"na_spike": {"warning": "high"}}, "must be a number"),
        ({"alpha": 2}, "between 0 and 1"),
        ({"features": {"x": {"bogus": {}}}}, "unknown setting 'bogus'"),
        ({"no_data": {"severity": "loud"}}, "must be info, warning or critical"),
    ])
    def test_bad_tables(self, table, message):
        with pytest.raises(ConfigError, match=message):
            DetectConfig.from_table(table)

    def test_read_from_featurewatch_toml(self, tmp_path):
        (tmp_path / "fw.toml").write_text("[detect]\nalpha = 0.001\n[detect.features.age.out_of_range]\n"
                                          "warning = 0.2\n")
        settings = load_settings(config_file=tmp_path / "fw.toml", environ={})
        config = DetectConfig.from_table(settings.detect)
        assert config.alpha == 0.001 and config.thresholds("out_of_range", "age").warning == 0.2
