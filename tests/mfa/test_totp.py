"""The TOTP arithmetic: ±1 step of drift, never a step already used."""

from datetime import UTC, datetime, timedelta

import pyotp

from portal.mfa import totp

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = datetime(2026, 12, 1, 3, 0, 10, tzinfo=UTC)


def test_the_code_of_this_step_and_of_one_step_either_side_are_accepted():
    for offset in (-30, 0, 30):
        value = pyotp.TOTP(SECRET).at(NOW + timedelta(seconds=offset))
        assert totp.matching_step(SECRET, value, NOW) == totp.step_at(NOW) + offset // 30


def test_codes_two_steps_away_are_refused():
    for offset in (-60, 60):
        assert totp.matching_step(SECRET, pyotp.TOTP(SECRET).at(NOW + timedelta(seconds=offset)), NOW) is None


def test_a_step_already_used_or_earlier_is_refused():
    value = pyotp.TOTP(SECRET).at(NOW)
    assert totp.matching_step(SECRET, value, NOW, after=totp.step_at(NOW)) is None
    assert totp.matching_step(SECRET, value, NOW, after=totp.step_at(NOW) - 1) == totp.step_at(NOW)


def test_anything_but_six_digits_is_refused_without_computing():
    assert totp.matching_step(SECRET, "12345", NOW) is None
    assert totp.matching_step(SECRET, "1234567", NOW) is None
    assert totp.matching_step(SECRET, "١٢٣٤٥٦", NOW) is None  # digits, but not ASCII ones
    assert totp.clean_code(" 123 456 ") == "123456"
