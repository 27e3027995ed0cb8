"""The argument checks every layer shares: one ConfigurationError wording per kind of value."""

import pytest

from waitkit import ConfigurationError
from waitkit._core import require_int, require_text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "limit must be an integer from 1 to 10, got 0"),
        (11, "limit must be an integer from 1 to 10, got 11"),
        (True, "limit must be an integer from 1 to 10, got True"),
        (2.0, "limit must be an integer from 1 to 10, got 2.0"),
    ],
)
def test_require_int_names_the_argument_and_the_range(value, message):
    """A bool, a float or an int out of range is refused with the argument and its range."""
    with pytest.raises(ConfigurationError) as caught:
        require_int("limit", value, 1, 10)
    assert str(caught.value) == message
    assert require_int("limit", 10, 1, 10) == 10


@pytest.mark.parametrize(
    ("value", "max_length", "or_none", "message"),
    [
        ("", 5, False, "q must be a non-blank string of at most 5 characters, got ''"),
        (" \n", None, True, r"q must be a non-blank string or None, got ' \n'"),
        (
            "x" * 21,
            5,
            False,
            "q must be a non-blank string of at most 5 characters, got 21 characters",
        ),
        (b"abc", None, False, "q must be a non-blank string, got b'abc'"),
    ],
)
def test_require_text_names_the_argument_and_shows_short_values(
    value, max_length, or_none, message
):
    """Blank, too long or not a str is refused; a long string is told by its length, not echoed."""
    with pytest.raises(ConfigurationError) as caught:
        require_text("q", value, max_length=max_length, or_none=or_none)
    assert str(caught.value) == message
    assert require_text("q", "a\tb\n", max_length=5) == "a\tb\n"
