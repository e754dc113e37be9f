"""Numbers as people read them."""

import pytest

from bench.units import clock, format_rate, format_seconds


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (2.5, "2.5 s"),
        (0.0123, "12.3 ms"),
        (4.56e-6, "4.56 µs"),
        (7e-10, "0.7 ns"),
        (-1.23e-3, "-1.23 ms"),
    ],
)
def test_format_seconds(seconds, text):
    assert format_seconds(seconds) == text


def test_format_rate_and_clock():
    assert format_rate(27e9) == "27 GB/s"
    assert format_rate(None) == format_rate(0) == "not measured"
    assert clock(3725) == "1:02:05"
