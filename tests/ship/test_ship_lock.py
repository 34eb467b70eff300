"""Tests for featurewatch.ship.places and featurewatch.ship.lock: one shipper per source folder and cluster."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest

from featurewatch.errors import BackendError
from featurewatch.ship import ShipLock, cluster_url, default_checkpoint_path, lock_path


class TestPlaces:
    @pytest.mark.parametrize("spelling", [
        "http://es:9200/", "HTTP://ES:9200", "http://es:9200//", " http://es:9200 ",
        "http://elastic:secret@es:9200", "http://es:9200/?pretty#top"])
    def test_spellings_of_one_cluster_are_one_url(self, spelling: str):
        """Trailing slashes, case, credentials, query and fragment do not make another cluster."""
        assert cluster_url(spelling) == "http://es:9200"

    def test_default_ports_path_prefixes_and_ipv6(self):
        """A default port is the same cluster; a path prefix (behind a proxy) or another port is not."""
        assert cluster_url("https://es.example.com:443/") == cluster_url("https://es.example.com")
        assert cluster_url("http://proxy:80/es/") == "http://proxy/es"
        assert cluster_url("http://[::1]:9200/") == "http://[::1]:9200"
        assert len({cluster_url(u) for u in ("http://es:9200", "http://es:9201", "http://es:9200/other",
                                             "https://es:9200", "http://es2:9200")}) == 5

    def test_checkpoint_name_is_one_per_cluster_and_unchanged_for_plain_urls(self, tmp_path: Path):
        """``URL`` and ``URL/`` share one checkpoint, named as before this normalisation (no re-send on upgrade)."""
        before = hashlib.blake2b(b"http://es:9200\x1ffeaturewatch", digest_size=6).hexdigest()
        expected = tmp_path / ".featurewatch-ship" / f"checkpoint-{before}.json"
        assert default_checkpoint_path(tmp_path, "http://es:9200", "featurewatch") == expected
        assert default_checkpoint_path(tmp_path, "http://es:9200/", "featurewatch") == expected

    def test_the_lock_lives_in_the_source_folder(self, tmp_path: Path):
        """Whatever the checkpoint folder, the lock is in the source folder, one per cluster and prefix."""
        path = lock_path(tmp_path, "http://es:9200/", "featurewatch")
        assert path.parent == tmp_path / ".featurewatch-ship"
        assert path == lock_path(tmp_path, "HTTP://es:9200", "featurewatch")
        assert path != lock_path(tmp_path, "http://es:9200", "other-prefix")


class TestShipLock:
    def test_a_second_holder_is_refused_until_the_first_releases(self, tmp_path: Path):
        """Two locks on one file, even in one process: the second fails with a clear error, then succeeds."""
        first, second = ShipLock(tmp_path / "a.lock"), ShipLock(tmp_path / "a.lock")
        first.acquire()
        with pytest.raises(BackendError, match="another shipper is already shipping this folder"):
            second.acquire()
        first.release()
        second.acquire()
        assert second.held == tmp_path / "a.lock"
        second.release()

    def test_a_read_only_source_folder_falls_back(self, tmp_path: Path, monkeypatch):
        """Where the lock cannot be created (read-only source folder), the fallback place is locked."""
        primary, fallback = tmp_path / "source" / "x.lock", tmp_path / "ckpt" / "x.lock"
        real_open = os.open

        def read_only(path, flags, *args):
            if str(path) == str(primary):
                raise OSError(errno.EROFS, "Read-only file system", str(path))
            return real_open(path, flags, *args)

        monkeypatch.setattr(os, "open", read_only)
        lock = ShipLock(primary, fallback=fallback)
        lock.acquire()
        assert lock.held == fallback
        with pytest.raises(BackendError, match="another shipper"):
            ShipLock(fallback).acquire()
        lock.release()

    def test_an_existing_lock_file_opened_read_only_still_collides(self, tmp_path: Path, monkeypatch):
        """A shipper that may not write the lock file (another user's) still locks it through a read-only
        descriptor, so it collides instead of falling back."""
        path = tmp_path / "x.lock"
        holder = ShipLock(path)
        holder.acquire()
        real_open = os.open

        def no_write(target, flags, *args):
            if str(target) == str(path) and flags & os.O_RDWR:
                raise PermissionError(errno.EACCES, "Permission denied", str(target))
            return real_open(target, flags, *args)

        monkeypatch.setattr(os, "open", no_write)
        with pytest.raises(BackendError, match="another shipper"):
            ShipLock(path, fallback=tmp_path / "elsewhere.lock").acquire()
        holder.release()
