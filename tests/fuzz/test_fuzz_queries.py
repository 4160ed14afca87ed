"""Every page's query string, with generated values: the filters its GET forms and links use (status,
category, template, queue, agent ...), page numbers, and search text full of FTS5 and tsquery
operators. No page may answer with a server error; the parameters come from the pages themselves,
so a new filter is fuzzed without a new test."""

from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz import strategies as odd
from tests.fuzz.walk import Visitor, routes, walk_pages

# Asked of every page, filters or not: what people and scripts add to URLs.
COMMON_PARAMETERS = ("page", "q", "status", "sort", "next")
EXAMPLES_WITH_FILTERS = 10
EXAMPLES_WITHOUT = 2


def value_for(name: str, options: list[str]) -> st.SearchStrategy[str]:
    if name == "q" or name.endswith("_q"):
        first = odd.search_text()
    elif "page" in name:
        first = odd.numbers()
    elif options:
        first = st.one_of(st.sampled_from(options), odd.uuids())
    else:
        first = odd.uuids()
    return st.one_of(first, odd.anything())


def fuzz_page(visitor, url: str, parameters: dict[str, list[str]], examples: int) -> None:
    names = sorted(parameters)

    @settings(max_examples=odd.examples(examples))
    @given(data=st.data())
    def request(data):
        chosen = data.draw(st.sets(st.sampled_from(names), min_size=1, max_size=4), label="parameters")
        query = {name: data.draw(value_for(name, parameters[name]), label=name) for name in sorted(chosen)}
        client, _ = visitor.ready()
        response = client.get(f"{url}?{urlencode(query)}")
        assert response.status_code < 500, f"GET {url}?{urlencode(query)} answered {response.status_code}"

    request()


def test_odd_query_strings_never_fail_any_page(app, world, people):
    filtered = set()
    for user in (people.admin, people.customer):
        visitor = Visitor(app, user)
        harvest = walk_pages(app, visitor.ready()[0], world)
        for route in routes(app, world):
            if "GET" not in route.methods or route.endpoint == "static":
                continue
            found = {name: field.options for name, field in harvest.query_params.get(route.endpoint, {}).items()}
            parameters = {name: [] for name in COMMON_PARAMETERS} | found
            fuzz_page(visitor, route.url, parameters, EXAMPLES_WITH_FILTERS if found else EXAMPLES_WITHOUT)
            if found:
                filtered.add(route.endpoint)
    assert len(filtered) >= 8, f"only {sorted(filtered)} showed filters to fuzz"
