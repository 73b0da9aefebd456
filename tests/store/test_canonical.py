"""The canonical row encoding (store/canonical.py) is unambiguous: distinct rows, distinct bytes."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from openmrv.store.canonical import row, rows_digest

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(),
    st.dates(),
    st.datetimes(),
)


@given(st.lists(values, max_size=6), st.lists(values, max_size=6))
def test_distinct_rows_encode_differently(a, b):
    same = len(a) == len(b) and all(
        type(x) is type(y) and x == y and str(x) == str(y) for x, y in zip(a, b, strict=True)
    )
    assert (row(a) == row(b)) == same


def test_the_ambiguities_of_text_forms_are_gone():
    # NULL and the text "\N" were one text form; so were split points of joined texts, and
    # numbers and their text.
    assert row([None]) != row(["\\N"])
    assert row(["a|b", "c"]) != row(["a", "b|c"])
    assert row([1]) != row(["1"]) != row([1.0])
    assert row([True]) != row([1])
    assert row([dt.date(2024, 1, 1)]) != row(["2024-01-01"])
    assert rows_digest([[1], [2]]) != rows_digest([[2], [1]])  # order matters
