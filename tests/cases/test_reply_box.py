"""The reply box: a text over the limit is refused with a count, never cut; staff see staff wording and
their reply mode stays as they last used it."""

from __future__ import annotations

import re

from portal.cases.rules import MAX_COMMENT
from portal.models.cases import CaseEvent
from tests import factories
from tests.fixtures import csrf_token_from, post_form, sign_in


def test_a_comment_over_the_limit_is_refused_with_its_count_and_kept(client, people):
    case = factories.case(people.customer, assignee=people.agent)
    sign_in(client, people.customer)
    page = f"/cases/{case.reference}"
    html = client.get(page).get_data(as_text=True)
    textarea = re.search(r"<textarea[^>]*name=\"body\"[^>]*>", html).group(0)
    assert "maxlength" not in textarea and f'data-limit="{MAX_COMMENT}"' in textarea  # the browser cuts nothing
    assert "Up to 10,000 characters." in html and 'aria-describedby="body-help body-count"' in textarea
    text = "x" * (MAX_COMMENT + 5)
    response = post_form(client, f"{page}/comments", {"body": text}, page=page)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert f"Use at most {MAX_COMMENT} characters (you used {MAX_COMMENT + 5})." in body
    assert text in body  # nothing the customer typed is lost
    assert not CaseEvent.select().where(CaseEvent.kind == "comment").exists()


def test_staff_get_staff_wording_and_their_reply_mode_sticks(client, people):
    case = factories.case(people.customer, assignee=people.agent)
    sign_in(client, people.agent)
    page = f"/cases/{case.reference}"
    html = client.get(page).get_data(as_text=True)
    assert "The team handling your case reads every comment." not in html
    assert "Your reply or note" in html and "a note stays with staff" in html
    assert re.search(r'<input[^>]*checked[^>]*value="public"|<input[^>]*value="public"[^>]*checked', html)
    response = client.post(f"{page}/comments", data={"csrf_token": csrf_token_from(html), "visibility": "internal",
                                                     "body": "Checked the logs."})
    assert response.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="internal"|<input[^>]*value="internal"[^>]*checked', html), \
        "after an internal note the reply box went back to public"
    assert "Internal note: only staff will see this." in html
    client.post(f"{page}/comments", data={"csrf_token": csrf_token_from(html), "visibility": "public",
                                          "body": "We are on it."})
    html = client.get(page).get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="public"|<input[^>]*value="public"[^>]*checked', html)
