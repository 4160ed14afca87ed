"""Challenges nobody answered are forgotten: by the next ceremony, and by the scheduler's job."""

from __future__ import annotations

from datetime import timedelta

from portal.clock import utcnow
from portal.models.passkeys import PasskeyChallenge
from portal.passkeys import challenges
from portal.passkeys.challenges import prune_passkey_challenges


def test_the_job_forgets_expired_challenges_and_keeps_live_ones(app):
    now = utcnow()
    old = challenges.issue("sign_in", None, now - timedelta(minutes=6))
    young = challenges.issue("sign_in", None, now - timedelta(minutes=4))
    assert prune_passkey_challenges(now=now) == 1
    assert not challenges.claim(old, "sign_in", None, now)
    assert challenges.claim(young, "sign_in", None, now)


def test_a_new_challenge_sweeps_the_expired_ones(app):
    now = utcnow()
    challenges.issue("sign_in", None, now - timedelta(minutes=10))
    challenges.issue("sign_in", None, now)
    assert PasskeyChallenge.select().count() == 1


def test_a_challenge_is_claimed_only_for_its_purpose_and_user(app, people):
    now = utcnow()
    issued = challenges.issue("register", people.customer, now)
    assert not challenges.claim(issued, "sign_in", None, now)
    assert not challenges.claim(issued, "register", people.admin, now)
    assert challenges.claim(issued, "register", people.customer, now)
    assert not challenges.claim(issued, "register", people.customer, now)


def test_the_scheduler_runs_the_job(app):
    from portal.jobs import portal_jobs

    assert "prune_passkey_challenges" in {job.__name__ for job, _ in portal_jobs(app)}
