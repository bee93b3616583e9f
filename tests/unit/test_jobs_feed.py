"""The shared watcher behind the job streams: one per job whatever the number of open tabs, backing
off while nothing changes, fast again when data comes, ending every stream when the job ends."""

from __future__ import annotations

import asyncio
import time

from mo_jupyter.jobs.tail import EventFeed


def test_one_feed_for_many_streams_backs_off_when_idle_and_wakes_on_data(tmp_path):
    events = tmp_path / "events.jsonl"
    events.write_bytes(b'{"seq": 1}\n')
    state = {"state": "running"}
    checks = []

    def get_record():
        checks.append(time.monotonic())
        return dict(state)

    async def scenario():
        feeds = [EventFeed.follow(events, get_record) for _ in range(5)]
        feed = feeds[0]
        assert all(f is feed for f in feeds) and feed.users == 5
        await asyncio.sleep(2.0)  # idle: nothing is written
        idle_polls = feed.polls
        # five open streams for 2 s at the old 10 ms per stream: ~1000 looks; one backing-off watcher:
        assert idle_polls <= 25, idle_polls
        assert feed.delay == EventFeed.SLOW
        assert len(checks) <= 6  # the job's state is looked at every 0.5 s, not per stream

        seen = feed.size
        waiters = [asyncio.ensure_future(feed.changed(seen, timeout=5)) for _ in feeds]
        written = time.monotonic()
        with open(events, "ab") as f:
            f.write(b'{"seq": 2}\n')
        await asyncio.gather(*waiters)
        assert time.monotonic() - written <= EventFeed.SLOW + 0.15  # at most one idle interval
        assert feed.size > seen and feed.delay == EventFeed.FAST

        state["state"] = "completed"
        await feed.changed(feed.size, timeout=5)
        assert feed.final is not None and feed.final["state"] == "completed"
        for f in feeds:
            f.release()
        assert str(events) not in EventFeed._feeds
        await asyncio.sleep(0)
        assert feed._task.cancelled() or feed._task.done()

    asyncio.run(scenario())


def test_a_failing_record_read_ends_the_streams(tmp_path):
    def gone():
        raise FileNotFoundError("the job was deleted")

    async def scenario():
        feed = EventFeed.follow(tmp_path / "events.jsonl", gone)
        await feed.changed(feed.size, timeout=5)
        assert isinstance(feed.error, FileNotFoundError)
        feed.release()

    asyncio.run(scenario())
