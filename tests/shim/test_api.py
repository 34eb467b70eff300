"""The public logging API: monitor, request, log_request, configure."""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import structlog

import featurewatch as fw
from featurewatch import record as R
from tests.conftest import read_records


class TestInputs:
    def test_dict(self, log_dir):
        """A dict is one record; its values keep their types."""
        fw.log_request(model="m", version="1", features={"a": 1, "b": "x"}, prediction=0.5)
        fw.flush()
        [rec] = read_records(log_dir)
        assert rec[R.FEATURES] == {"a": 1, "b": "x"} and rec[R.PREDICTION] == 0.5
        assert rec[R.MODEL] == "m" and rec[R.MODEL_VERSION] == "1" and rec[R.SCHEMA] == R.SCHEMA_VERSION

    def test_series(self, log_dir):
        fw.log_request(model="m", features=pd.Series({"a": 1.5, "b": None}), prediction=np.float64(0.25))
        fw.flush()
        [rec] = read_records(log_dir)
        assert rec[R.FEATURES] == {"a": 1.5, "b": None} and rec[R.FEATURES_NULL] == ["b"]
        assert rec[R.PREDICTION] == 0.25

    def test_dataframe_one_record_per_row_with_per_row_predictions(self, log_dir):
        """A DataFrame gives one record per row under one request id, numbered by row."""
        frame = pd.DataFrame({"a": [1.0, np.nan, np.inf], "b": ["x", None, "z"],
                              "t": pd.to_datetime(["2020-01-01", None, "2021-01-01"])})
        fw.log_request(model="m", features=frame, prediction=np.array([0.1, 0.2, 0.3]))
        fw.flush()
        recs = sorted(read_records(log_dir), key=lambda r: r[R.ROW])
        assert [r[R.ROW] for r in recs] == [0, 1, 2]
        assert len({r[R.REQUEST_ID] for r in recs}) == 1
        assert [r[R.PREDICTION] for r in recs] == [0.1, 0.2, 0.3]
        assert recs[0][R.FEATURES] == {"a": 1.0, "b": "x", "t": "2020-01-01T00:00:00"}
        assert recs[1][R.FEATURES_NULL] == ["a", "b", "t"]
        assert recs[2][R.FEATURES_NULL] == ["a"] and recs[2][R.FEATURES]["a"] is None

    @pytest.mark.parametrize("prediction", [pd.Series([1, 2]), pd.DataFrame({"p": [1, 2]}), [1, 2]])
    def test_list_of_dicts_and_columnar_predictions(self, log_dir, prediction):
        fw.log_request(model="m", features=[{"a": 1}, {"b": 2}], prediction=prediction)
        fw.flush()
        recs = sorted(read_records(log_dir), key=lambda r: r[R.ROW])
        assert [r[R.FEATURES] for r in recs] == [{"a": 1}, {"b": 2}]
        got = [r[R.PREDICTION] for r in recs]
        assert got in ([1, 2], [{"p": 1}, {"p": 2}])

    def test_absent_and_null_stay_different(self, log_dir):
        """A missing key is absent (not in features_present); a None is present and null."""
        fw.log_request(model="m", features={"a": None, "c": float("nan")})
        fw.flush()
        [rec] = read_records(log_dir)
        assert rec[R.FEATURES_PRESENT] == ["a", "c"]
        assert rec[R.FEATURES_NULL] == ["a", "c"]
        assert "b" not in rec[R.FEATURES] and "b" not in rec[R.FEATURES_PRESENT]

    def test_callers_objects_are_not_changed(self, log_dir):
        features = {"text": "y" * 5000, 1: "non-string key"}
        before = dict(features)
        fw.log_request(model="m", features=features)
        fw.flush()
        assert features == before
        [rec] = read_records(log_dir)
        assert rec[R.FEATURES]["1"] == "non-string key"
        assert rec[R.FEATURES]["text"].endswith("[truncated, 5000 chars]")

    def test_historical_timestamp(self, log_dir):
        """A given timestamp is written in UTC and picks the file of its own hour."""
        when = dt.datetime(2025, 3, 4, 5, 6, 7, 890000, tzinfo=dt.timezone(dt.timedelta(hours=1)))
        fw.log_request(model="m", features={"a": 1}, timestamp=when)
        fw.flush()
        [rec] = read_records(log_dir)
        assert rec[R.TIMESTAMP] == "2025-03-04T04:06:07.890000Z"
        [path] = list(log_dir.iterdir())
        assert path.name.startswith("featurewatch-20250304T04-")


class TestRedaction:
    @pytest.mark.parametrize("mode", ["drop", "hash"])
    def test_redacted_fields(self, tmp_path, mode):
        fw.configure(log_dir=str(tmp_path), redact=["ssn"], redact_mode=mode)
        fw.log_request(model="m", features={"ssn": "123-45-6789", "age": 40})
        fw.log_request(model="m", features=pd.DataFrame({"ssn": ["1"], "age": [3]}))
        fw.flush()
        for rec in read_records(tmp_path):
            assert "123-45-6789" not in str(rec)
            if mode == "drop":
                assert "ssn" not in rec[R.FEATURES] and "ssn" not in rec[R.FEATURES_PRESENT]
            else:
                assert rec[R.FEATURES]["ssn"].startswith("sha256:")


class TestMonitor:
    def test_keeps_name_signature_and_result(self, log_dir):
        def predict(features: dict, threshold: float = 0.5) -> float:
            """Doc."""
            return 0.7

        wrapped = fw.monitor(model="m", version="2")(predict)
        assert wrapped.__name__ == "predict" and wrapped.__doc__ == "Doc."
        assert inspect.signature(wrapped) == inspect.signature(predict)
        assert wrapped({"a": 1}, threshold=0.1) == 0.7
        fw.flush()
        [rec] = read_records(log_dir)
        assert rec[R.PREDICTION] == 0.7 and rec[R.LATENCY_MS] >= 0

    def test_exceptions_propagate_unchanged_and_are_logged(self, log_dir):
        error = ValueError("bad input")

        @fw.monitor(model="m")
        def predict(features):
            raise error

        with pytest.raises(ValueError) as caught:
            predict({"a": 1})
        assert caught.value is error
        fw.flush()
        [rec] = read_records(log_dir)
        assert rec[R.ERROR] == {"type": "ValueError", "message": "bad input"}

    def test_async_functions(self, log_dir):
        @fw.monitor(model="m")
        async def predict(features):
            await asyncio.sleep(0)
            return [1, 2]

        assert inspect.iscoroutinefunction(predict)
        assert asyncio.run(predict([{"a": 1}, {"a": 2}])) == [1, 2]
        fw.flush()
        assert sorted(r[R.PREDICTION] for r in read_records(log_dir)) == [1, 2]

    def test_context_manager(self, log_dir):
        with fw.request(model="m", version="3", request_id="req-1") as r:
            r.features({"a": 1})
            r.prediction("yes")
        with pytest.raises(KeyError), fw.request(model="m") as r:
            r.features({"a": 2})
            raise KeyError("x")
        fw.flush()
        recs = read_records(log_dir)
        assert recs[0][R.REQUEST_ID] == "req-1" and recs[0][R.PREDICTION] == "yes"
        assert recs[1][R.ERROR]["type"] == "KeyError"


class TestConfigure:
    def test_reconfigure_moves_later_records(self, tmp_path):
        """Records follow the latest configure(); earlier ones are flushed where they were."""
        fw.configure(log_dir=str(tmp_path / "one"))
        fw.log_request(model="m", features={"a": 1})
        fw.configure(log_dir=str(tmp_path / "two"))
        fw.log_request(model="m", features={"a": 2})
        fw.flush()
        assert [r[R.FEATURES]["a"] for r in read_records(tmp_path / "one")] == [1]
        assert [r[R.FEATURES]["a"] for r in read_records(tmp_path / "two")] == [2]

    def test_structlog_processors_run_and_can_drop(self, tmp_path):
        def add_service(logger, method_name, event_dict):
            event_dict["service"] = "scoring-api"
            return event_dict

        def drop_tests(logger, method_name, event_dict):
            if event_dict[R.FEATURES].get("test"):
                raise structlog.DropEvent
            return event_dict

        fw.configure(log_dir=str(tmp_path), processors=[add_service, drop_tests])
        fw.log_request(model="m", features={"a": 1})
        fw.log_request(model="m", features={"test": True})
        fw.flush()
        [rec] = read_records(tmp_path)
        assert rec["service"] == "scoring-api"
        assert fw.stats()["filtered"] == 1

    def test_contextvars_processor(self, tmp_path):
        """structlog's own merge_contextvars works as a featurewatch processor."""
        fw.configure(log_dir=str(tmp_path), processors=[structlog.contextvars.merge_contextvars])
        with structlog.contextvars.bound_contextvars(tenant="acme"):
            fw.log_request(model="m", features={"a": 1})
        fw.flush()
        assert read_records(tmp_path)[0]["tenant"] == "acme"

    def test_sampling(self, tmp_path):
        fw.configure(log_dir=str(tmp_path), sample_rate=0.0)
        fw.log_request(model="m", features={"a": 1})
        fw.flush()
        assert read_records(tmp_path) == [] and fw.stats()["filtered"] == 1

    def test_bad_setting_is_a_config_error(self, tmp_path):
        with pytest.raises(fw.ConfigError, match="sample_rate"):
            fw.configure(log_dir=str(tmp_path), sample_rate=2)


class TestNeverBreaksTheCall:
    def test_bad_environment_turns_logging_off_not_the_model(self, tmp_path, monkeypatch, capsys):
        """A bad FEATUREWATCH_* variable must not raise out of a decorated call (nor hide its exception)."""
        monkeypatch.setenv("FEATUREWATCH_SAMPLE_RATE", "lots")
        monkeypatch.setenv("FEATUREWATCH_LOG_DIR", str(tmp_path))

        @fw.monitor(model="m")
        def predict(features):
            return 1

        @fw.monitor(model="m")
        def broken(features):
            raise KeyError("model bug")

        assert predict({"a": 1}) == 1
        with pytest.raises(KeyError, match="model bug"):
            broken({"a": 1})
        fw.flush()
        assert read_records(tmp_path) == []
        assert capsys.readouterr().err.count("logging is off") == 1

    def test_renderer_in_the_chain_is_refused_not_written_corrupt(self, tmp_path, capsys):
        """A JSONRenderer at the end of the chain would write strings: the record is dropped with a warning."""
        fw.configure(log_dir=str(tmp_path), processors=[structlog.processors.JSONRenderer()])
        fw.log_request(model="m", features={"a": 1})
        fw.log_request(model="m", features=[{"a": 1}, {"a": 2}])
        fw.flush()
        assert read_records(tmp_path) == []
        assert fw.stats()["failed"] == 2 and "JSONRenderer" in capsys.readouterr().err

    def test_drop_mode_redaction_leaves_no_trace(self, tmp_path):
        fw.configure(log_dir=str(tmp_path), redact=["ssn"], redact_mode="drop")
        fw.log_request(model="m", features={"ssn": None, "age": 3})
        fw.flush()
        [rec] = read_records(tmp_path)
        assert "ssn" not in rec[R.FEATURES_NULL] and "ssn" not in rec[R.FEATURES_PRESENT]


_LOG_DICTS = """
import sys, featurewatch as fw
fw.configure(log_dir=sys.argv[1], redact=["ssn"] if sys.argv[2] == "redact" else [])
fw.log_request(model="m", features={"a": 1, "b": None, "c": float("nan"), "d": "x" * 5000})
fw.log_request(model="m", features=[{"a": 1}, {"a": 2}], prediction=[0.1, 0.2])
fw.monitor(model="m")(lambda features: 1)({"a": 1, "ssn": "1"})
with fw.request(model="m") as r:
    r.features({"a": 1})
fw.flush()
print(sorted(m for m in ("numpy", "pandas", "pyarrow") if m in sys.modules))
"""


class TestImports:
    """``import featurewatch`` and logging dicts stay light; pandas comes with the first DataFrame."""

    def _run(self, code: str, *args: str) -> str:
        done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def test_import_loads_neither_pandas_nor_pyarrow(self):
        self._run("import featurewatch, sys; assert 'pandas' not in sys.modules and 'pyarrow' not in sys.modules, "
                  "sorted(sys.modules)")

    @pytest.mark.parametrize("mode", ["plain", "redact"])
    def test_logging_dicts_loads_neither_pandas_nor_numpy(self, tmp_path, mode):
        assert self._run(_LOG_DICTS, str(tmp_path), mode) == "[]"
        assert len(read_records(tmp_path)) == 5

    def test_a_dataframe_loads_pandas(self, tmp_path):
        code = ("import sys, featurewatch as fw, pandas as pd; fw.configure(log_dir=sys.argv[1]); "
                "fw.log_request(model='m', features=pd.DataFrame({'a': [1, 2]})); fw.flush()")
        self._run(code, str(tmp_path))
        assert [r[R.FEATURES]["a"] for r in read_records(tmp_path)] == [1, 2]
