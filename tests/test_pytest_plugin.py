import pytest

pytest_plugins = ["pytester"]


def test_waitkit_policy_fixture_defaults_to_600_seconds(pytester: pytest.Pytester):
    """Without options the waitkit_policy fixture has a 600 s timeout."""
    pytester.makepyfile(
        """
        def test_policy(waitkit_policy):
            assert waitkit_policy.timeout == 600.0
        """
    )
    pytester.runpytest("-p", "no:looptime_plugin").assert_outcomes(passed=1)


def test_waitkit_timeout_option_and_ini(pytester: pytest.Pytester):
    """--waitkit-timeout wins over the ini value; the ini value wins over the default."""
    pytester.makeini("[pytest]\nwaitkit_timeout = 42\n")
    pytester.makepyfile(
        """
        def test_policy(waitkit_policy):
            assert waitkit_policy.timeout == 42.0
        """
    )
    pytester.runpytest("-p", "no:looptime_plugin").assert_outcomes(passed=1)
    pytester.makepyfile(
        """
        def test_policy(waitkit_policy):
            assert waitkit_policy.timeout == 1800.0
        """
    )
    pytester.runpytest("-p", "no:looptime_plugin", "--waitkit-timeout=1800").assert_outcomes(
        passed=1
    )


def test_bad_waitkit_timeout_is_a_clear_error(pytester: pytest.Pytester):
    """A non-numeric or non-positive timeout fails the fixture with a message naming the option."""
    pytester.makepyfile(
        """
        def test_policy(waitkit_policy):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:looptime_plugin", "--waitkit-timeout=soon")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*--waitkit-timeout must be a number of seconds > 0*"])
    result = pytester.runpytest("-p", "no:looptime_plugin", "--waitkit-timeout=-5")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*--waitkit-timeout must be a finite number of seconds > 0*"])
