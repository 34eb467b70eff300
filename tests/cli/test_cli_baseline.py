"""``featurewatch baseline build`` and ``baseline show``: kinds and why, warnings, one-line errors."""

from __future__ import annotations

import orjson
import pandas as pd
import pytest
from click.testing import CliRunner

from featurewatch.cli import main

RUN = CliRunner()


@pytest.fixture
def training(tmp_path):
    n = 200
    path = tmp_path / "training.csv"
    pd.DataFrame({
        "age": [20 + i % 50 for i in range(n)],
        "region": ["north", "south", "east", "west"] * (n // 4),
        "member": ["yes", "no"] * (n // 2),
        "job_title": [f"title {i % 150}" for i in range(n)],
        "empty": [None] * n,
        "score": [i / n for i in range(n)],
    }).to_csv(path, index=False)
    return path


def _build(training, *args):
    out = training.parent / "baseline.json"
    return RUN.invoke(main, ["baseline", "build", str(training), "--model", "credit", *args, "-o", str(out)]), out


def _row(output, name):
    return next(line.split() for line in output.splitlines() if line.split()[:1] == [name])


class TestBuild:
    def test_ends_with_kinds_reasons_and_warnings(self, training):
        result, _ = _build(training)
        assert result.exit_code == 0, result.output
        assert result.output.startswith("baseline of model 'credit': 6 features")
        assert _row(result.output, "age")[:2] == ["age", "numeric"] and "numbers" in result.output
        assert _row(result.output, "job_title")[1] == "identifier"
        assert "75% of 200 strings are distinct" in result.output
        warnings = result.output.split("warnings:\n")[1]
        assert "  empty: every value is null in the training data" in warnings
        assert "  score: named like a model's prediction: if it is one, give --prediction score" in warnings

    def test_identifier_and_boolean_overrides(self, training):
        result, out = _build(training, "--identifier", "region", "--boolean", "member", "--categorical", "job_title",
                             "--prediction", "score")
        assert result.exit_code == 0, result.output
        doc = orjson.loads(out.read_bytes())
        kinds = {name: (f["kind"], f["reason"]) for name, f in doc["features"].items()}
        assert kinds["region"] == ("identifier", "set by --identifier")
        assert kinds["member"] == ("boolean", "set by --boolean")
        assert kinds["job_title"] == ("categorical", "set by --categorical")
        assert "named like a model's prediction" not in result.output

    @pytest.mark.parametrize("args,message", [
        (["--text", "region", "--categorical", "region"],
         "error: each column can have one kind: 'region' is given --text and --categorical"),
        (["--boolean", "nope"], "error: column(s) not in the data: nope (columns are: age, region, member, "
                                "job_title, empty, score)"),
    ])
    def test_bad_options_are_one_line_exit_2(self, training, args, message):
        result, out = _build(training, *args)
        assert result.exit_code == 2 and result.output == message + "\n" and not out.exists()

    def test_duplicated_columns_exit_2(self, tmp_path):
        path = tmp_path / "t.csv"
        path.write_text("a,b,a\n1,2,3\n")
        result, _ = _build(path)
        assert result.exit_code == 2 and "column names appear more than once: 'a'" in result.output

    def test_semicolon_csv(self, tmp_path):
        path = tmp_path / "t.csv"
        path.write_text("age;city\n" + "".join(f"{20 + i % 50};c{i % 4}\n" for i in range(100)))
        result, _ = _build(path)
        assert result.exit_code == 0 and "2 features (1 categorical, 1 numeric)" in result.output


class TestShow:
    def test_table(self, training):
        _, out = _build(training, "--prediction", "score")
        result = RUN.invoke(main, ["baseline", "show", str(out)])
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert lines[0].startswith("baseline of model 'credit': 200 rows, versions any, from training.csv")
        assert lines[1].split() == ["feature", "kind", "present", "null", "values", "why"]
        assert _row(result.output, "age")[:6] == ["age", "numeric", "100.0%", "0%", "20", "to"]
        assert _row(result.output, "region")[4:11] == ["east", "25.0%,", "north", "25.0%,", "south", "25.0%", "(+1"]
        assert _row(result.output, "prediction")[1] == "numeric"
        assert "empty: every value is null" in result.output

    def test_json(self, training):
        _, out = _build(training)
        result = RUN.invoke(main, ["baseline", "show", str(out), "--format", "json"])
        doc = orjson.loads(result.output)
        age = next(f for f in doc["features"] if f["name"] == "age")
        assert age["kind"] == "numeric" and age["reason"] == "numbers" and age["present_rate"] == 1.0
        assert age["values"]["min"] == 20 and age["values"]["max"] == 69
        assert next(f for f in doc["features"] if f["name"] == "score")["warnings"]

    def test_an_older_file_says_unknown(self, training):
        _, out = _build(training)
        doc = orjson.loads(out.read_bytes())
        for feature in doc["features"].values():
            feature.pop("reason")
        out.write_bytes(orjson.dumps(doc))
        result = RUN.invoke(main, ["baseline", "show", str(out), "--format", "json"])
        assert {f["reason"] for f in orjson.loads(result.output)["features"]} == {"unknown"}

    def test_a_damaged_file_is_refused_naming_the_field(self, training):
        _, out = _build(training)
        doc = orjson.loads(out.read_bytes())
        doc["features"]["age"]["numeric"]["min"] = "low"
        out.write_bytes(orjson.dumps(doc))
        result = RUN.invoke(main, ["baseline", "show", str(out)])
        assert result.exit_code == 2
        assert result.output == f'error: {out}: features.age.numeric.min must be a number, not "low"\n'

    def test_detect_refuses_it_too(self, training, tmp_path):
        _, out = _build(training)
        doc = orjson.loads(out.read_bytes())
        doc["versions"] = "10"
        out.write_bytes(orjson.dumps(doc))
        result = RUN.invoke(main, ["detect", "--baseline", str(out), "--source", str(tmp_path), "--window", "1h"])
        assert result.exit_code == 2 and 'versions must be a list of strings, not "10"' in result.output
