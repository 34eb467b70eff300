"""The shipper against the test cluster: nothing lost, nothing duplicated, whatever happens.

These tests use the session's Elasticsearch-compatible server (see conftest.py)
and run unchanged against a real cluster with FEATUREWATCH_TEST_ES_URL.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import orjson
import pytest

from featurewatch import record as R
from featurewatch.es import layout
from featurewatch.es.setup import install
from shiptools import (
    client_for,
    count_docs,
    file_ids,
    indexed_ids,
    obeying_file_modes,
    open_files_limit,
    ship_argv,
    ship_command,
    ship_env,
    shipper,
    write_records,
)


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    folder = tmp_path / "logs"
    folder.mkdir()
    return folder


@pytest.fixture
def prefix(es_client, es_prefix: str) -> str:
    install(es_client, es_prefix)
    return es_prefix


def _wait_for(condition, timeout: float = 60.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def _shim_lines(folder: Path, count: int, start: int = 0) -> list[bytes]:
    """``count`` record lines written by the shim (into ``folder``), in order."""
    write_records(folder, count, start=start)
    return [line for path in sorted(folder.glob("featurewatch-*.jsonl"))
            for line in path.read_bytes().splitlines(keepends=True)]


def _dead_letters(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()] if path.exists() else []


class TestShipAll:
    def test_every_record_once_with_intended_field_types(self, es_client, prefix, logs, tmp_path):
        """N shim records become exactly N documents with unique ids, in daily indices, typed as designed."""
        write_records(logs, 3000, spacing_s=30)  # 25 hours: two daily indices, many hourly files
        stats = shipper(es_client, logs, tmp_path / "work", prefix).run()
        assert stats.indexed == 3000 and stats.dead_lettered == 0 and stats.duplicates == 0
        ids = indexed_ids(es_client, prefix)
        assert len(ids) == 3000 and set(ids) == file_ids(logs)
        indices = sorted(row["index"] for row in es_client.cat.indices(
            index=layout.requests_pattern(prefix), format="json", h="index").body)
        assert indices == [f"{prefix}-requests-2026.11.26", f"{prefix}-requests-2026.11.27"]
        mapping = es_client.indices.get_mapping(index=indices[0]).body[indices[0]]["mappings"]["properties"]
        values = {kind: node.get("properties", {}) for kind, node in mapping["values"]["properties"].items()}
        assert {(kind, name, field["type"]) for kind, fields in values.items() for name, field in fields.items()} == {
            ("number", "age", "double"), ("number", "income", "double"), ("string", "city", "keyword"),
            ("boolean", "member", "boolean"), ("string", "note", "keyword")}
        assert mapping["features_present"]["type"] == mapping["features_null"]["type"] == "keyword"
        assert mapping["@timestamp"]["type"] == "date"
        assert mapping["prediction_value"]["properties"]["number"]["type"] == "double"
        assert mapping["request_id"]["type"] == "keyword" and mapping["latency_ms"]["type"] == "double"

    def test_second_run_sends_nothing(self, es_client, prefix, logs, tmp_path):
        """With the checkpoint, a rerun reads nothing and sends no request."""
        write_records(logs, 500)
        work = tmp_path / "work"
        shipper(es_client, logs, work, prefix).run()
        again = shipper(es_client, logs, work, prefix).run()
        assert again.lines == 0 and again.bulk_requests == 0
        assert count_docs(es_client, prefix) == 500

    def test_without_checkpoint_resending_duplicates_nothing(self, es_client, prefix, logs, tmp_path):
        """Losing the checkpoint re-sends everything, and every re-sent record is a 409, not a copy."""
        write_records(logs, 400)
        shipper(es_client, logs, tmp_path / "one", prefix).run()
        again = shipper(es_client, logs, tmp_path / "two", prefix).run()
        assert again.indexed == 0 and again.duplicates == 400
        assert count_docs(es_client, prefix) == 400

    def test_mistyped_values_are_kept_and_countable(self, es_client, prefix, logs, tmp_path):
        """A string in a numeric feature is indexed (not rejected) and counted as a string, apart from the numbers."""
        write_records(logs, 10)
        assert shipper(es_client, logs, tmp_path / "work", prefix).run().indexed == 10
        line = orjson.dumps({"schema": 1, "@timestamp": "2026-11-26T21:00:00.5Z", "model": "credit",
                             "request_id": "typo", "row": 0, "features": {"age": "forty"},
                             "features_present": ["age"], "features_null": []})
        with (logs / "featurewatch-20261126T21-manual-1-x.jsonl").open("wb") as handle:
            handle.write(line + b"\n")
        stats = shipper(es_client, logs, tmp_path / "work", prefix).run()
        assert stats.indexed == 1 and stats.dead_lettered == 0
        es_client.indices.refresh(index=layout.requests_pattern(prefix))
        result = es_client.search(index=layout.requests_pattern(prefix), size=0, aggs={
            "strings": {"filter": {"term": {"types.string": "age"}}},
            "numbers": {"value_count": {"field": "values.number.age"}}})["aggregations"]
        assert result["strings"]["doc_count"] == 1 and result["numbers"]["value"] == 10


class TestFailures:
    def test_sigkill_at_20_random_moments(self, es_client, es_url, prefix, logs, tmp_path):
        """Killed with SIGKILL 20 times while records keep arriving, the shipper still lands each record once."""
        rng = random.Random(4)
        checkpoint_dir = tmp_path / "ckpt"
        argv = ship_argv(logs, es_url, "--follow", "--batch-docs", "250", "--poll-interval", "0.05",
                         "--checkpoint-dir", str(checkpoint_dir), "--quiet")
        total = 0
        killed_with_backlog = 0
        for round_ in range(20):
            write_records(logs, 1000, start=total, spacing_s=2)
            total += 1000
            before = count_docs(es_client, prefix)
            process = subprocess.Popen(argv, env=ship_env(prefix), stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE)
            if round_ % 2:
                # Half the kills land while start-up, reading or the first batch is under way...
                time.sleep(rng.uniform(0.05, 1.2))
            else:
                # ...the other half once this run has landed something (however slow the machine is).
                assert _wait_for(lambda before=before: count_docs(es_client, prefix) > before,
                                 timeout=60, interval=0.02)
                time.sleep(rng.uniform(0.0, 0.4))
            process.send_signal(signal.SIGKILL)
            _, err = process.communicate(timeout=30)
            assert process.returncode == -signal.SIGKILL, err
            killed_with_backlog += 0 < count_docs(es_client, prefix) < total
        # The kills really landed mid-stream, not only before start-up or after catching up.
        assert killed_with_backlog >= 5
        final = ship_command(logs, es_url, prefix, "--once", "--stats", "--checkpoint-dir", str(checkpoint_dir),
                             "--quiet")
        assert final.returncode == 0, final.stderr
        ids = indexed_ids(es_client, prefix)
        assert len(ids) == total == 20000
        assert set(ids) == file_ids(logs)
        assert orjson.loads(final.stdout)["dead_lettered"] == 0

    def test_sigterm_finishes_the_batch_and_saves_the_checkpoint(self, es_client, es_url, prefix, logs, tmp_path):
        """SIGTERM exits 0 with the checkpoint at exactly what landed: the next run re-sends nothing."""
        write_records(logs, 6000)
        checkpoint_dir = tmp_path / "ckpt"
        process = subprocess.Popen(
            ship_argv(logs, es_url, "--follow", "--batch-docs", "500", "--checkpoint-dir", str(checkpoint_dir),
                      "--quiet", "--stats"),
            env=ship_env(prefix), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert _wait_for(lambda: count_docs(es_client, prefix) > 0)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        assert orjson.loads(out)["interrupted"] is True
        rest = ship_command(logs, es_url, prefix, "--once", "--stats", "--checkpoint-dir", str(checkpoint_dir),
                            "--quiet")
        stats = orjson.loads(rest.stdout)
        assert stats["duplicates"] == 0
        assert count_docs(es_client, prefix) == 6000

    def test_outage_mid_stream_catches_up(self, es_client, es_proxy, prefix, logs, tmp_path):
        """The cluster unreachable for a while: the follower retries with back-pressure, then catches up."""
        write_records(logs, 1500)
        client = client_for(es_proxy.url)
        follower = shipper(client, logs, tmp_path / "work", prefix, follow=True, tries=None, max_docs=300)
        thread = threading.Thread(target=follower.run, daemon=True)
        thread.start()
        assert _wait_for(lambda: count_docs(es_client, prefix) >= 300)
        es_proxy.down()
        write_records(logs, 1500, start=1500)
        time.sleep(1.5)
        retries_during_outage = follower.stats.retries
        es_proxy.up()
        assert _wait_for(lambda: count_docs(es_client, prefix) == 3000, timeout=90)
        follower.stop()
        thread.join(30)
        assert not thread.is_alive()
        assert retries_during_outage > 0
        assert set(indexed_ids(es_client, prefix)) == file_ids(logs)

    def test_once_gives_up_with_exit_1_and_a_correct_checkpoint(self, es_client, es_proxy, prefix, logs, tmp_path):
        """With --once and the cluster gone, bounded tries end in exit 1; the next run finishes the job."""
        write_records(logs, 300)
        checkpoint_dir = tmp_path / "ckpt"
        es_proxy.down()
        failed = ship_command(logs, es_proxy.url, prefix, "--once", "--max-tries", "2",
                              "--checkpoint-dir", str(checkpoint_dir))
        assert failed.returncode == 1
        assert failed.stderr.strip().splitlines()[-1].startswith("error: ")
        assert "Traceback" not in failed.stderr
        es_proxy.up()
        done = ship_command(logs, es_proxy.url, prefix, "--once", "--stats", "--quiet",
                            "--checkpoint-dir", str(checkpoint_dir))
        assert done.returncode == 0, done.stderr
        assert orjson.loads(done.stdout)["indexed"] == 300

    def test_injected_429s_are_retried_and_nothing_is_lost(self, es_client, es_proxy, prefix, logs, tmp_path):
        """Whole-request 429s and per-item 429s are retried (only the rejected items); every record lands."""
        write_records(logs, 2000)
        es_proxy.fail_next(4, status=429)
        es_proxy.reject_half_of_next_bulks(3)
        es_proxy.fail_next(1, status=503)
        client = client_for(es_proxy.url)
        stats = shipper(client, logs, tmp_path / "work", prefix, max_docs=500).run()
        assert es_proxy.injected == 8
        assert stats.retries >= 8
        assert stats.indexed == 2000 and stats.duplicates == 0 and stats.dead_lettered == 0
        assert len(indexed_ids(es_client, prefix)) == 2000

    def test_429s_through_the_command(self, es_client, es_proxy, prefix, logs, tmp_path):
        """The CLI retries a short run of 429s and exits 0 with everything indexed."""
        write_records(logs, 200)
        es_proxy.fail_next(2, status=429)
        result = ship_command(logs, es_proxy.url, prefix, "--once", "--stats",
                              "--checkpoint-dir", str(tmp_path / "ckpt"))
        assert result.returncode == 0, result.stderr
        assert "retrying in" in result.stderr
        assert orjson.loads(result.stdout)["indexed"] == 200

    def test_mapping_conflict_and_corrupt_line_go_to_dead_letters(self, es_client, prefix, logs, tmp_path):
        """A document the cluster rejects and an unparseable line are dead-lettered with reasons; the rest lands."""
        write_records(logs, 50)
        path = logs / "featurewatch-20261126T21-manual-2-y.jsonl"
        good = orjson.dumps({"@timestamp": "2026-11-26T21:00:01Z", "model": "credit", "request_id": "good",
                             "features": {}})
        conflict = orjson.dumps({"@timestamp": "2026-11-26T21:00:02Z", "model": "credit", "request_id": "bad",
                                 "features": {}, "_id": "mine"})  # a metadata field inside the document
        corrupt = b'{"@timestamp": "2026-11-26T21:00:03Z", "model": "cre'
        path.write_bytes(good + b"\n" + conflict + b"\n" + corrupt + b"\n" + good.replace(b"good", b"good2") + b"\n")
        work = tmp_path / "work"
        stats = shipper(es_client, logs, work, prefix).run()
        assert stats.indexed == 52 and stats.dead_lettered == 2
        letters = {entry["offset"]: entry for entry in _dead_letters(work / "dead.jsonl")}
        conflict_offset = len(good) + 1
        corrupt_offset = conflict_offset + len(conflict) + 1
        assert set(letters) == {conflict_offset, corrupt_offset}
        assert letters[conflict_offset]["status"] == 400 and "[_id]" in letters[conflict_offset]["reason"]
        assert letters[conflict_offset]["file"] == str(path)
        assert orjson.loads(letters[conflict_offset]["line"])["request_id"] == "bad"
        assert "unparseable JSON" in letters[corrupt_offset]["reason"]
        assert letters[corrupt_offset]["line"] == corrupt.decode()
        assert count_docs(es_client, prefix) == 52


class TestRotation:
    def test_rename_copy_truncate_and_partial_line(self, es_client, prefix, logs, tmp_path):
        """Rename rotation, copy-truncate and a partial trailing line: every record once, none corrupted."""
        work = tmp_path / "work"
        staging = tmp_path / "staging"
        write_records(staging, 400, spacing_s=0.5)
        [source] = list(staging.glob("featurewatch-*.jsonl"))
        lines = source.read_bytes().splitlines(keepends=True)
        live = logs / source.name

        def ship():
            return shipper(es_client, logs, work, prefix).run()

        live.write_bytes(b"".join(lines[:100]))
        assert ship().indexed == 100
        # Rename-and-create: lines appended just before the rename must still come.
        with live.open("ab") as handle:
            handle.write(b"".join(lines[100:150]))
        os.rename(live, logs / (source.name + ".1"))
        live.write_bytes(b"".join(lines[150:200]))
        assert ship().indexed == 100
        # Copy-truncate, with lines written between our last read and the copy.
        with live.open("ab") as handle:
            handle.write(b"".join(lines[200:250]))
        shutil.copyfile(live, logs / (source.name + ".2"))
        with live.open("r+b") as handle:
            handle.truncate(0)
        live.write_bytes(b"".join(lines[250:300]))
        stats = ship()
        assert stats.indexed == 100 and stats.duplicates == 0
        # A partial trailing line waits for its newline.
        with live.open("ab") as handle:
            handle.write(b"".join(lines[300:])[:-1])  # the last line without its newline
        assert ship().indexed == 99
        with live.open("ab") as handle:
            handle.write(b"\n")
        assert ship().indexed == 1
        ids = indexed_ids(es_client, prefix)
        assert len(ids) == 400 and set(ids) == {R.document_id(orjson.loads(line)) for line in lines}
        assert not (work / "dead.jsonl").exists()

    def test_new_files_while_following(self, es_client, prefix, logs, tmp_path):
        """Files that appear while following are shipped without a restart."""
        write_records(logs, 100, model="a")
        follower = shipper(es_client, logs, tmp_path / "work", prefix, follow=True, tries=None)
        thread = threading.Thread(target=follower.run, daemon=True)
        thread.start()
        assert _wait_for(lambda: count_docs(es_client, prefix) == 100)
        (logs / "later").mkdir()
        write_records(logs / "later", 100, model="b")
        assert _wait_for(lambda: count_docs(es_client, prefix) == 200)
        follower.stop()
        thread.join(30)
        assert not thread.is_alive()


class TestHostileFolders:
    def test_more_files_than_the_open_files_limit(self, es_client, es_url, prefix, logs, tmp_path):
        """1,100 files under a soft open-files limit of 256 (ulimit -Sn 256): --once ships every record."""
        for i, line in enumerate(_shim_lines(tmp_path / "staging", 1100)):
            (logs / f"featurewatch-20261126T21-host-{i}-x.jsonl").write_bytes(line)
        result = ship_command(logs, es_url, prefix, "--once", "--stats", "--quiet", "--max-tries", "2",
                              preexec=open_files_limit(256))
        assert result.returncode == 0, result.stderr
        stats = orjson.loads(result.stdout)
        assert stats["indexed"] == 1100 and stats["files"] == 1100 and stats["bytes_behind"] == 0
        assert set(indexed_ids(es_client, prefix)) == file_ids(logs)

    def test_a_named_pipe_beside_a_log_file(self, es_client, es_url, prefix, logs, tmp_path):
        """A FIFO named like a log file is skipped and said once; the log file is shipped; --once returns."""
        write_records(logs, 50)
        pipe = logs / "featurewatch-20261126T20-pipe-1-x.jsonl"
        os.mkfifo(pipe)
        result = ship_command(logs, es_url, prefix, "--once", "--stats", "--quiet", timeout=60)
        assert result.returncode == 0, result.stderr
        assert result.stderr.splitlines() == [f"warning: skipping {pipe}: a named pipe, not a regular file"]
        stats = orjson.loads(result.stdout)
        assert stats["indexed"] == 50 and stats["files_not_regular"] == 1
        assert count_docs(es_client, prefix) == 50

    def test_unreadable_files_and_folders_are_named_counted_and_fail_once(self, es_client, es_url, prefix, logs,
                                                                          tmp_path):
        """A file and a folder the shipper may not read are named on stderr (even with --quiet), counted in
        --stats (the file's bytes as behind), and --once exits 1; once readable, the next run ships them."""
        write_records(logs, 40)
        locked = logs / "featurewatch-20261126T20-locked-1-x.jsonl"
        locked.write_bytes(b"".join(_shim_lines(tmp_path / "staging", 25, start=1000)))
        private = logs / "private"
        write_records(private, 15, start=2000)
        locked.chmod(0)
        private.chmod(0)
        try:
            result = ship_command(logs, es_url, prefix, "--once", "--stats", "--quiet", preexec=obeying_file_modes())
        finally:
            private.chmod(0o755)
        assert result.returncode == 1
        assert result.stderr.splitlines() == [
            f"warning: skipping folder {private}: cannot list it (Permission denied); its files are not shipped",
            f"warning: skipping {locked}: cannot read it (Permission denied); its records wait until it can be read",
            "error: 2 source file(s) or folder(s) could not be read (named above); their records are not shipped: "
            "fix their permissions and run again"]
        stats = orjson.loads(result.stdout)
        assert stats["indexed"] == 40 and stats["files_unreadable"] == 2
        assert stats["bytes_behind"] == locked.stat().st_size
        locked.chmod(0o644)
        again = ship_command(logs, es_url, prefix, "--once", "--stats", "--quiet", preexec=obeying_file_modes())
        assert again.returncode == 0, again.stderr
        assert orjson.loads(again.stdout)["indexed"] == 40
        assert count_docs(es_client, prefix) == 80


class TestNotElasticsearch:
    def test_follow_retries_a_maintenance_page(self, es_client, es_proxy, prefix, logs, tmp_path):
        """A 200 answer that is not Elasticsearch (a proxy's maintenance page) is retried like an outage."""
        write_records(logs, 600)
        es_proxy.serve_page_next(3)
        follower = shipper(client_for(es_proxy.url), logs, tmp_path / "work", prefix, follow=True, tries=None,
                           max_docs=300)
        thread = threading.Thread(target=follower.run, daemon=True)
        thread.start()
        assert _wait_for(lambda: count_docs(es_client, prefix) == 600, timeout=30)
        follower.stop()
        thread.join(30)
        assert not thread.is_alive()
        assert es_proxy.injected == 3 and follower.stats.retries >= 3

    def test_once_says_it_retries_a_maintenance_page(self, es_client, es_proxy, prefix, logs, tmp_path):
        """--once retries the page within its tries, saying why, then ships everything (exit 0)."""
        write_records(logs, 100)
        es_proxy.serve_page_next(2)
        result = ship_command(logs, es_proxy.url, prefix, "--once", "--stats")
        assert result.returncode == 0, result.stderr
        assert result.stderr.count("does not look like Elasticsearch") == 2
        assert orjson.loads(result.stdout)["indexed"] == 100


class TestOneShipper:
    def test_a_second_shipper_is_refused_whatever_the_url_spelling_or_checkpoint_dir(
            self, es_client, es_url, prefix, logs, tmp_path):
        """While one shipper follows a folder, another on the same folder and cluster is refused (exit 1),
        whether its URL ends in a slash or its checkpoint folder is another; the first goes on."""
        write_records(logs, 20)
        follower = subprocess.Popen(ship_argv(logs, es_url, "--follow", "--quiet", "--poll-interval", "0.05"),
                                    env=ship_env(prefix), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                    text=True)
        try:
            assert _wait_for(lambda: count_docs(es_client, prefix) == 20)
            for extra in (["--es", es_url + "/"], ["--checkpoint-dir", str(tmp_path / "elsewhere")]):
                second = ship_command(logs, es_url, prefix, "--once", "--quiet", *extra)
                assert second.returncode == 1, second.stderr
                assert second.stderr.startswith("error: another shipper is already shipping this folder to this "
                                                "cluster"), second.stderr
        finally:
            follower.send_signal(signal.SIGTERM)
            _, err = follower.communicate(timeout=30)
        assert follower.returncode == 0, err
        assert count_docs(es_client, prefix) == 20
