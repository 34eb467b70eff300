"""`featurewatch kibana build` and the help of the kibana commands."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from featurewatch.baseline import BaselineOptions, build_baseline, save_baseline
from featurewatch.cli import main
from featurewatch.errors import FeaturewatchError
from featurewatch.kibana import write_ndjson
from featurewatch.settings import load_settings


def _build(*args: str):
    return CliRunner().invoke(main, ["kibana", "build", *args])


class TestBuild:
    def test_demo(self, tmp_path: Path, committed_file: Path) -> None:
        """--demo writes the committed demo file and says what it wrote."""
        out = tmp_path / "out" / "credit.ndjson"
        result = _build("--demo", "-o", str(out))
        assert result.exit_code == 0, result.output
        assert out.read_bytes() == committed_file.read_bytes()
        total = len(out.read_bytes().splitlines())
        assert result.stdout == (f"wrote {total} saved objects for model 'credit' to {out} "
                                 f"(dashboards: overview, input health)\n")

    def test_baseline(self, tmp_path: Path) -> None:
        """--baseline reads the model and feature kinds from a baseline file."""
        frame = pd.DataFrame({"amount": [1.5, 20.0, 300.25] * 30, "country": ["NO", "PE", "FR"] * 30,
                              "memo": ["rent for may", "groceries", "a gift for my sister"] * 30})
        baseline = save_baseline(build_baseline(frame, BaselineOptions(model="fraud", kinds={"memo": "text"})),
                                 tmp_path / "baseline.json")
        out = tmp_path / "fraud.ndjson"
        result = _build("--baseline", str(baseline), "-o", str(out), "--index-prefix", "ml")
        assert result.exit_code == 0, result.output
        objects = [json.loads(line) for line in out.read_text().splitlines()]
        titles = {o["attributes"].get("title") for o in objects}
        assert {"ml-requests-*", "[featurewatch] fraud: category mix of country",
                "[featurewatch] fraud: unseen-token rate by feature"} <= titles

    def test_unwritable_output_is_one_line_exit_1(self, tmp_path: Path) -> None:
        """A folder that cannot be made (a file stands in its way) is a runtime failure, not a traceback."""
        (tmp_path / "taken").write_text("a file")
        target = tmp_path / "taken" / "credit.ndjson"
        result = _build("--demo", "-o", str(target))
        assert result.exit_code == 1 and result.stderr.startswith(f"error: cannot write {target}: ")
        assert result.stderr.count("\n") == 1

    @pytest.mark.parametrize("args", [[], ["--demo", "--baseline", "b.json"]])
    def test_needs_exactly_one_source(self, tmp_path: Path, args: list[str]) -> None:
        """Neither or both of --demo and --baseline is a usage error (exit 2)."""
        result = _build(*args, "-o", str(tmp_path / "x.ndjson"))
        assert result.exit_code == 2 and "give either --baseline FILE or --demo" in result.stderr

    def test_bad_baseline(self, tmp_path: Path) -> None:
        """A corrupt baseline is exit 2 with one line, and nothing is written."""
        baseline = tmp_path / "baseline.json"
        baseline.write_text(json.dumps({"model": "m", "features": {"a": {}}}))
        result = _build("--baseline", str(baseline), "-o", str(tmp_path / "x.ndjson"))
        assert result.exit_code == 2
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
        assert not (tmp_path / "x.ndjson").exists()


@pytest.mark.parametrize("command", [["kibana"], ["kibana", "build"], ["kibana", "import"]])
def test_help_has_an_example(command: list[str]) -> None:
    """Every kibana command's --help shows an example."""
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert re.search(r"Example:\n(?:\s+.*\n)*?\s+featurewatch kibana \w+ --", result.output)


class TestKibanaSettings:
    def test_environment_and_overrides(self) -> None:
        """FEATUREWATCH_KIBANA_* fill the Kibana settings; explicit values win; secrets stay out of repr."""
        environ = {"FEATUREWATCH_KIBANA_URL": "http://env:5601", "FEATUREWATCH_KIBANA_PASSWORD": "pw-env",
                   "FEATUREWATCH_KIBANA_VERIFY_CERTS": "false", "FEATUREWATCH_KIBANA_SPACE": "ops"}
        kibana = load_settings({"kibana_url": "http://flag:5601", "kibana_username": "me"}, environ=environ).kibana
        assert (kibana.url, kibana.username, kibana.password) == ("http://flag:5601", "me", "pw-env")
        assert (kibana.verify_certs, kibana.space) == (False, "ops")
        assert "pw-env" not in repr(kibana)

    def test_toml_section(self, tmp_path: Path) -> None:
        """A [kibana] table in featurewatch.toml is read; unknown keys in it are refused."""
        config = tmp_path / "featurewatch.toml"
        config.write_text('[kibana]\nurl = "http://toml:5601"\n')
        assert load_settings(environ={}, config_file=config).kibana.url == "http://toml:5601"
        config.write_text('[kibana]\nhost = "x"\n')
        from featurewatch.errors import ConfigError

        with pytest.raises(ConfigError, match="unknown setting 'host' in \\[kibana\\]"):
            load_settings(environ={}, config_file=config)


class TestWriteNdjson:
    """The library call behind `kibana build`."""

    def test_writes_the_checked_objects_and_counts_them(self, tmp_path: Path, demo_spec, demo_bytes) -> None:
        out = tmp_path / "a" / "credit.ndjson"
        assert write_ndjson(demo_spec, out) == demo_bytes.count(b"\n")
        assert out.read_bytes() == demo_bytes

    def test_feature_names_elasticsearch_refuses_get_charts(self, tmp_path: Path) -> None:
        """Names stored under an encoded field (``~`` and hex) are charted there, and the objects validate."""
        from featurewatch.kibana.spec import spec_from_baseline

        rng = __import__("numpy").random.default_rng(3)
        frame = pd.DataFrame({"~tilde": rng.choice(["a", "b"], 200), "a..b": rng.choice(["x", "y"], 200),
                              "amount": rng.normal(5, 1, 200)})
        baseline = build_baseline(frame, BaselineOptions(model="odd-names", kinds={"~tilde": "categorical",
                                                                                   "a..b": "categorical"}))
        out = tmp_path / "odd.ndjson"
        assert write_ndjson(spec_from_baseline(baseline), out) > 0
        text = out.read_text()
        assert "values.string.~7e74696c6465" in text and "values.string.~612e2e62" in text

    def test_objects_that_fail_validation_are_not_written(self, tmp_path: Path, demo_spec, monkeypatch) -> None:
        from featurewatch.kibana import build as builder

        monkeypatch.setattr(builder, "validate", lambda data, mappings: ["a panel lost its field"])
        with pytest.raises(FeaturewatchError, match="failed validation: a panel lost its field"):
            write_ndjson(demo_spec, tmp_path / "x.ndjson")
        assert not (tmp_path / "x.ndjson").exists()
