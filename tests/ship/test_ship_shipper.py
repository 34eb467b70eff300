"""Tests for featurewatch.ship.shipper with a fake bulk endpoint (no cluster)."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest

from featurewatch.es.bulk import ItemResult
from featurewatch.ship import RetryPolicy, ShipConfig, Shipper
from shiptools import write_records


class FakeCluster:
    """Keeps created documents by (index, id); answers 409 for repeats like a real cluster."""

    def __init__(self):
        self.docs: dict[tuple[str, str], dict] = {}
        self.requests = 0

    def __call__(self, body: bytes):
        self.requests += 1
        lines = body.splitlines()
        items = []
        for header, source in zip(lines[::2], lines[1::2]):
            meta = orjson.loads(header)["create"]
            key = (meta["_index"], meta["_id"])
            if key in self.docs:
                items.append(ItemResult(409, {"type": "version_conflict_engine_exception"}))
            else:
                self.docs[key] = orjson.loads(source)
                items.append(ItemResult(201, None))
        errors = any(item.status != 201 for item in items)
        return errors, items if errors else []


def _config(tmp_path: Path, **changes) -> ShipConfig:
    options = {"source": tmp_path / "logs", "checkpoint": tmp_path / "work" / "ckpt.json",
               "dead_letter": tmp_path / "work" / "dead.jsonl", "prefix": "fw", "max_docs": 100,
               "retry": RetryPolicy(initial=0.01, maximum=0.02), "progress_interval": 0.0}
    options.update(changes)
    return ShipConfig(**options)


class TestShipper:
    def test_progress_is_reported_on_a_backlog(self, tmp_path):
        """The progress callback gets records shipped and bytes still behind."""
        write_records(tmp_path / "logs", 300)
        reports = []
        cluster = FakeCluster()
        stats = Shipper(_config(tmp_path), cluster, on_progress=reports.append).run()
        assert stats.indexed == 300 and len(cluster.docs) == 300
        assert reports and reports[-1].records == 300 and reports[-1].bytes_behind == 0

    def test_enrichment_hook_fields_reach_the_documents(self, tmp_path):
        """Fields returned by the enrichment hook are added to every indexed document."""
        write_records(tmp_path / "logs", 20)
        cluster = FakeCluster()

        def enrich(record):
            return {"tokens": {"note": [record["features"]["note"]]}}

        Shipper(_config(tmp_path, enrich=enrich), cluster).run()
        assert len(cluster.docs) == 20
        assert all(doc["tokens"]["note"] == [doc["features"]["note"]] for doc in cluster.docs.values())

    def test_delete_after_hours_removes_only_shipped_old_files(self, tmp_path):
        """Fully shipped files untouched for longer than the limit are deleted; the checkpoint forgets them."""
        logs = tmp_path / "logs"
        write_records(logs, 50)
        files = sorted(logs.glob("featurewatch-*.jsonl"))
        for path in files:
            os.utime(path, (1, 1))
        stats = Shipper(_config(tmp_path, delete_after_hours=1), FakeCluster()).run()
        assert stats.files_deleted == len(files) and not any(p.exists() for p in files)
        checkpoint = orjson.loads((tmp_path / "work" / "ckpt.json").read_bytes())
        assert checkpoint["files"] == []

    def test_stats_count_duplicates_from_a_lost_checkpoint(self, tmp_path):
        """Re-shipping without the checkpoint turns every record into a 409 counted as a duplicate."""
        write_records(tmp_path / "logs", 40)
        cluster = FakeCluster()
        Shipper(_config(tmp_path), cluster).run()
        (tmp_path / "work" / "ckpt.json").unlink()
        stats = Shipper(_config(tmp_path), cluster).run()
        assert (stats.indexed, stats.duplicates) == (0, 40)
        assert stats.as_dict()["records_per_second"] > 0

    def test_run_after_a_failed_run_loses_nothing(self, tmp_path):
        """A run that gave up mid-way leaves nothing skipped for the next run on the same Shipper."""
        from featurewatch.es.bulk import TransientError

        write_records(tmp_path / "logs", 250)
        cluster = FakeCluster()
        failures = iter([False, True, True])  # the second batch fails for good

        def flaky(body):
            if next(failures, False):
                raise TransientError("down")
            return cluster(body)

        shipper = Shipper(_config(tmp_path, retry=RetryPolicy(initial=0.001, maximum=0.001, max_tries=2)), flaky)
        with pytest.raises(TransientError, match="giving up after 2 tries"):
            shipper.run()
        assert len(cluster.docs) == 100
        stats = shipper.run()
        assert len(cluster.docs) == 250 and stats.duplicates == 0

    def test_a_second_shipper_on_the_same_checkpoint_is_refused(self, tmp_path):
        """Two shippers on one checkpoint would race; the second fails with a clear error, then may run."""
        from featurewatch.errors import BackendError
        from featurewatch.ship import ShipLock

        write_records(tmp_path / "logs", 10)
        config = _config(tmp_path)
        holder = ShipLock(config.checkpoint.with_name(config.checkpoint.name + ".lock"))
        holder.acquire()
        with pytest.raises(BackendError, match="another shipper is already shipping this folder"):
            Shipper(config, FakeCluster()).run()
        holder.release()
        assert Shipper(config, FakeCluster()).run().indexed == 10

    def test_a_file_beginning_like_a_shipped_one_ships_all_its_records(self, tmp_path):
        """A new file whose first KiB equals a shipped file's (still present) is shipped whole: its
        records after the shared beginning are not skipped."""
        logs = tmp_path / "logs"
        write_records(logs, 2000)
        [first] = sorted(logs.glob("featurewatch-*.jsonl"))
        cluster = FakeCluster()
        assert Shipper(_config(tmp_path), cluster).run().indexed == 2000
        write_records(tmp_path / "staging", 1000, start=5000)
        shared = first.read_bytes().splitlines(keepends=True)[:1000]
        others = [line for path in sorted((tmp_path / "staging").glob("featurewatch-*.jsonl"))
                  for line in path.read_bytes().splitlines(keepends=True)]
        (logs / first.name.replace(".jsonl", "-replay.jsonl")).write_bytes(b"".join(shared + others))
        stats = Shipper(_config(tmp_path), cluster).run()
        assert (stats.indexed, stats.duplicates) == (1000, 1000)
        assert len(cluster.docs) == 3000

    def test_skipped_files_and_cut_lines_are_said_and_counted(self, tmp_path, monkeypatch):
        """A pipe, an unreadable file and a runaway line each reach on_warning and the stats; the
        unreadable file's bytes count as behind; everything readable is shipped."""
        import functools

        from featurewatch.ship import shipper as shipper_module
        from featurewatch.ship.tailer import Tailer

        logs = tmp_path / "logs"
        write_records(logs, 30)
        os.mkfifo(logs / "featurewatch-20261126T05-pipe-1-a.jsonl")
        (logs / "featurewatch-20261126T06-long-1-a.jsonl").write_bytes(b"y" * 5000 + b"\n")
        locked = logs / "featurewatch-20261126T07-locked-1-a.jsonl"
        locked.write_bytes(b'{"@timestamp": "2026-11-26T07:00:00Z"}\n')
        real_open = os.open

        def refuse(path, flags, *args):
            if str(path) == str(locked):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, flags, *args)

        monkeypatch.setattr(os, "open", refuse)
        monkeypatch.setattr(shipper_module, "Tailer", functools.partial(Tailer, chunk_bytes=1024, max_line_bytes=4096))
        warnings: list[str] = []
        cluster = FakeCluster()
        stats = Shipper(_config(tmp_path), cluster, on_warning=warnings.append).run()
        assert stats.indexed == 30 and stats.dead_lettered == 2  # the cut piece and the rest of its line
        assert (stats.files_not_regular, stats.files_unreadable, stats.oversized_lines) == (1, 1, 1)
        assert stats.bytes_behind == locked.stat().st_size
        assert len(warnings) == 3 and any(str(locked) in w and "Permission denied" in w for w in warnings)
