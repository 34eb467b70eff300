"""A damaged or hand-edited baseline is refused on load, naming the field (exit 2); old files still load."""

from __future__ import annotations

import copy

import orjson
import pandas as pd
import pytest

from featurewatch.baseline import BaselineOptions, build_baseline, load_baseline, to_dict
from featurewatch.baseline.schema import _BLOCK
from featurewatch.errors import BaselineError
from featurewatch.kinds import KINDS


@pytest.fixture(scope="module")
def document():
    """A small baseline of every kind, as its JSON document."""
    n = 200
    frame = pd.DataFrame({
        "age": [20 + i % 50 for i in range(n)],
        "colour": ["red", "green", "blue", "red"] * (n // 4),
        "member": [i % 3 == 0 for i in range(n)],
        "note": [f"pay the bill number {i % 9}" for i in range(n)],
        "user": [f"u{i}" for i in range(n)],
        "score": [i / n for i in range(n)],
    })
    return to_dict(build_baseline(frame, BaselineOptions(model="m", prediction="score")))


def _load(tmp_path, doc):
    path = tmp_path / "baseline.json"
    path.write_bytes(orjson.dumps(doc))
    return load_baseline(path)


def _edit(document, where, value):
    doc = copy.deepcopy(document)
    *parents, last = where
    target = doc
    for key in parents:
        target = target[key]
    if value is _DELETE:
        del target[last]
    else:
        target[last] = value
    return doc


_DELETE = object()

REFUSED = [
    (("features", "age", "numeric", "min"), "low", 'features.age.numeric.min must be a number, not "low"'),
    (("rows",), "12", 'rows must be a whole number, not "12"'),
    (("rows",), 0, "rows must be at least 1, not 0"),
    (("schema_version",), 0, "schema_version must be at least 1, not 0"),
    (("schema_version",), -1, "schema_version must be at least 1, not -1"),
    (("schema_version",), True, "schema_version must be a whole number, not true"),
    (("versions",), "10", 'versions must be a list of strings, not "10"'),
    (("versions",), [1], "versions[0] must be a string, not 1"),
    (("model",), "", "model must be a model name, not empty"),
    (("features", "age", "present"), -3, "features.age.present must be at least 0, not -3"),
    (("features", "age", "present"), 201, "features.age.present (201) must not exceed features.age.records (200)"),
    (("features", "age", "records"), 201, "features.age.records (201) must not exceed rows (200)"),
    (("features", "age", "nulls"), 201, "features.age.nulls (201) must not exceed features.age.present (200)"),
    (("features", "colour", "violations"), 500, "features.colour.violations (500) must not exceed"),
    (("features", "age", "numeric", "max"), 1.0, "features.age.numeric.min must not be above max (20.0 > 1.0)"),
    (("features", "age", "numeric"), _DELETE, 'features.age is numeric but has no "numeric" block'),
    (("features", "age", "numeric", "counts"), [1, 2], "features.age.numeric.counts must have one count per bin"),
    (("features", "age", "numeric", "edges"), [3, 2, 1], "features.age.numeric.edges must increase strictly"),
    (("features", "age", "numeric", "count"), 7, "features.age.numeric.count must be the sum of its counts"),
    (("features", "age", "numeric", "std"), -1, "features.age.numeric.std must not be negative"),
    (("features", "age", "kind"), "fancy", 'features.age.kind must be one of numeric, categorical, boolean, text, '
                                          'identifier, not "fancy"'),
    (("features", "age", "kind"), "categorical", 'features.age is categorical but has a "numeric" block'),
    (("features", "colour", "categories"), _DELETE, 'features.colour is categorical but has no "categories" block'),
    (("features", "colour", "categories"), None, 'features.colour is categorical but has no "categories" block'),
    (("features", "member", "categories"), _DELETE, 'features.member is boolean but has no "categories" block'),
    (("features", "colour", "categories", "counts", "red"), "many",
     'features.colour.categories.counts["red"] must be a whole number, not "many"'),
    (("features", "colour", "categories", "singletons"), 99,
     "features.colour.categories.singletons (99) must not exceed features.colour.categories.distinct (3)"),
    (("features", "colour", "categories", "types"), ["colour"],
     'features.colour.categories.types[0] must be one of boolean, number, string, not "colour"'),
    (("features", "colour", "categories", "expected_new_rate"), 2,
     "features.colour.categories.expected_new_rate must be between 0 and 1, not 2"),
    (("features", "note", "text"), _DELETE, 'features.note is text but has no "text" block'),
    (("features", "note", "text", "other_count"), 10**9, "features.note.text.other_count (1000000000) must not exceed"),
    (("features", "note", "warnings"), "bad", 'features.note.warnings must be a list of strings, not "bad"'),
    (("features", "user"), 3, "features.user must be an object, not 3"),
    (("features",), [], "features must be an object of features, not []"),
    (("prediction", "numeric", "min"), "low", 'prediction.numeric.min must be a number, not "low"'),
]


class TestRefused:
    @pytest.mark.parametrize("where,value,message", REFUSED, ids=[".".join(w) + "=" + repr(v)[:12]
                                                                 for w, v, _ in REFUSED])
    def test_a_broken_field_is_named(self, tmp_path, document, where, value, message):
        """Each broken rule is one line naming the file and the field, exit code 2."""
        with pytest.raises(BaselineError) as error:
            _load(tmp_path, _edit(document, where, value))
        text = str(error.value)
        assert text.startswith(f"{tmp_path / 'baseline.json'}: ") and message in text, text
        assert "\n" not in text and error.value.exit_code == 2

    def test_every_kind_names_its_block(self):
        """The checker knows every kind featurewatch has (a new kind must say which block it needs)."""
        assert set(_BLOCK) == set(KINDS)


class TestAccepted:
    def test_the_written_file_loads(self, tmp_path, document):
        assert to_dict(_load(tmp_path, document)) == document

    def test_files_of_older_versions_load(self, tmp_path, document):
        """Files written before sum, types, violations, reason and warnings existed still load."""
        doc = copy.deepcopy(document)
        for feature in [*doc["features"].values(), doc["prediction"]]:
            feature.pop("violations", None)
            feature.pop("reason", None)
            feature.pop("warnings", None)
            for block in ("categories", "text"):
                if block in feature:
                    feature[block].pop("types")
            if "numeric" in feature:
                feature["numeric"].pop("sum")
        baseline = _load(tmp_path, doc)
        age = baseline.features["age"]
        assert age.reference.total == pytest.approx(document["features"]["age"]["numeric"]["sum"])
        assert age.reason == "" and baseline.features["colour"].types == []

    def test_unknown_fields_are_ignored(self, tmp_path, document):
        """A later version may add optional fields without a new schema_version."""
        doc = _edit(document, ("features", "age", "added_later"), {"x": 1})
        doc["also_later"] = [1]
        assert to_dict(_load(tmp_path, doc)) == document
