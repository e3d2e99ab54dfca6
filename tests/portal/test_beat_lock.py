"""Celery beat's lock (conduct_portal.beat): one scheduler sends, the others stand by until the lock is free.
tests/portal/test_several_machines.py runs two real beat processes; these check the scheduler's own rules."""

from unittest import mock

import pytest
import redis

from conduct_portal.beat import LockedScheduler, beat_lock_key
from conduct_portal.celery import app


def scheduler(tmp_path, name: str) -> LockedScheduler:
    return LockedScheduler(app=app, schedule_filename=str(tmp_path / name), lazy=True)


def test_without_redis_the_only_beat_sends(tmp_path, settings):
    settings.REDIS_URL = ""
    beat = scheduler(tmp_path, "alone")
    assert beat.hold_lock()
    with mock.patch("celery.beat.Scheduler.apply_entry") as send:
        beat.apply_entry(mock.Mock(name="entry"))
    send.assert_called_once()


def test_one_beat_holds_the_lock_the_other_stands_by_and_takes_over_when_it_is_released(tmp_path, settings):
    if not settings.REDIS_URL:
        pytest.skip("the lock lives in Redis")
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(beat_lock_key(app))
    first, second = scheduler(tmp_path, "first"), scheduler(tmp_path, "second")
    try:
        assert first.hold_lock() and not second.hold_lock()
        assert first.hold_lock() and not second.hold_lock()  # renewed by its holder, still refused to the other
        assert 0 < client.pttl(beat_lock_key(app)) <= settings.BEAT_LOCK_TIMEOUT * 1000
        with mock.patch("celery.beat.Scheduler.apply_entry") as send:
            second.apply_entry(mock.Mock(name="entry"))
            send.assert_not_called()
            first.apply_entry(mock.Mock(name="entry"))
            send.assert_called_once()

        with mock.patch("celery.beat.PersistentScheduler.close"):
            first.close()  # a clean shutdown releases the lock at once
        assert second.hold_lock() and not first.hold_lock()
    finally:
        client.delete(beat_lock_key(app))
