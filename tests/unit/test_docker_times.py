"""Docker's times (RFC 3339, UTC, 0 to 9 fraction digits) read the same in every time zone: a
service's age decides 'starting' vs 'failed', and a local-time reading was off by hours."""

from __future__ import annotations

import time

import pytest

from mo_jupyter.services.docker import iso_timestamp


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"])
def test_utc_whatever_the_local_zone(zone, monkeypatch):
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        assert iso_timestamp("2024-05-01T10:00:00.123456789Z") == pytest.approx(1714557600.123456)
        assert iso_timestamp("2024-05-01T10:00:00.5Z") == pytest.approx(1714557600.5)
        assert iso_timestamp("2024-05-01T10:00:00Z") == 1714557600.0
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_unreadable_is_zero():
    assert iso_timestamp("") == 0.0 and iso_timestamp("0001-01-01T00:00:00Z") < 0 and iso_timestamp("soon") == 0.0
