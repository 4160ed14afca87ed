"""Idempotency-Key on POST: a retry gets the first answer, nothing is done twice, even when the
retries race each other on a real database (SQLite file or PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta

from portal.api.idempotency import prune_idempotency_keys
from portal.clock import utcnow
from portal.models.api import ApiIdempotency
from portal.models.people import Customer
from tests import factories
from tests.api.conftest import ApiClient, assert_error

NEW = {"first_name": "Maria", "last_name": "Garcia", "email": "maria@example.com"}


def test_a_sequential_retry_gets_the_first_answer_and_creates_nothing_more(app, api_as, people):
    api = api_as(people.agent)
    first = api.post("/customers", NEW, headers={"Idempotency-Key": "create-maria-1"})
    assert first.status_code == 201, first.get_data(as_text=True)
    again = api.post("/customers", NEW, headers={"Idempotency-Key": "create-maria-1"})
    assert again.status_code == 201
    assert again.get_data() == first.get_data()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert Customer.select().where(Customer.email == "maria@example.com").count() == 1


def test_without_a_key_each_post_runs(app, api_as, people):
    api = api_as(people.agent)
    assert api.post("/customers", NEW).status_code == 201
    assert api.post("/customers", {**NEW, "confirm_duplicate": True}).status_code == 201
    assert Customer.select().where(Customer.email == "maria@example.com").count() == 2


def test_the_same_key_with_another_request_is_refused(app, api_as, people):
    api = api_as(people.agent)
    assert api.post("/customers", NEW, headers={"Idempotency-Key": "k"}).status_code == 201
    other = api.post("/customers", {**NEW, "first_name": "Marta"}, headers={"Idempotency-Key": "k"})
    assert_error(other, 422, "idempotency_key_reused")
    assert Customer.select().where(Customer.first_name == "Marta").count() == 0


def test_keys_belong_to_their_user(app, api_as, people):
    first = api_as(people.agent).post("/customers", NEW, headers={"Idempotency-Key": "shared"})
    second = api_as(people.supervisor).post("/customers", {**NEW, "confirm_duplicate": True},
                                            headers={"Idempotency-Key": "shared"})
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] != second.get_json()["id"]


def test_a_refused_request_is_not_kept_so_its_retry_runs_again(app, api_as, people):
    factories.customer(first_name="Mario", email="maria@example.com")
    api = api_as(people.agent)
    refused = api.post("/customers", NEW, headers={"Idempotency-Key": "dup"})
    assert_error(refused, 409, "possible_duplicate")
    assert ApiIdempotency.select().count() == 0
    assert_error(api.post("/customers", {"first_name": ""}, headers={"Idempotency-Key": "bad"}), 422, "invalid")
    assert ApiIdempotency.select().count() == 0
    # The same key, now with the request that was meant: it runs.
    confirmed = api.post("/customers", {**NEW, "confirm_duplicate": True}, headers={"Idempotency-Key": "dup"})
    assert confirmed.status_code == 201
    assert Customer.select().where(Customer.email == "maria@example.com").count() == 2


def test_a_key_must_be_printable_ascii_of_at_most_255_characters(app, api_as, people):
    api = api_as(people.agent)
    for key in ("", "x" * 256, "caf\u00e9", "tab\there"):
        response = api.post("/customers", NEW, headers={"Idempotency-Key": key})
        assert_error(response, 400, "invalid_idempotency_key")
    assert Customer.select().where(Customer.email == "maria@example.com").count() == 0
    assert api.post("/customers", NEW, headers={"Idempotency-Key": "x" * 255}).status_code == 201


def test_keys_older_than_a_day_are_pruned_and_free_again(app, api_as, people):
    api = api_as(people.agent)
    assert api.post("/customers", NEW, headers={"Idempotency-Key": "old"}).status_code == 201
    ApiIdempotency.update(created_at=utcnow() - timedelta(hours=25)).execute()
    again = api.post("/customers", {**NEW, "confirm_duplicate": True}, headers={"Idempotency-Key": "old"})
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    ApiIdempotency.update(created_at=utcnow() - timedelta(hours=25)).execute()
    assert prune_idempotency_keys() == 1
    assert ApiIdempotency.select().count() == 0


def test_concurrent_retries_create_one_customer_and_all_get_its_answer(app, token_for, people):
    secret = token_for(people.agent)
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    answers: list = [None] * threads_count

    def retry(number: int) -> None:
        api = ApiClient(app.test_client(), secret)
        barrier.wait()
        response = api.post("/customers", NEW, headers={"Idempotency-Key": "race-1"})
        answers[number] = (response.status_code, response.get_json(), response.headers.get("Idempotent-Replayed"))

    threads = [threading.Thread(target=retry, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(answer is not None for answer in answers), answers
    assert {status for status, _, _ in answers} == {201}, answers
    assert len({body["id"] for _, body, _ in answers}) == 1
    assert sorted(replayed or "" for _, _, replayed in answers) == [""] + ["true"] * (threads_count - 1)
    assert Customer.select().where(Customer.email == "maria@example.com").count() == 1
    assert ApiIdempotency.select().count() == 1
