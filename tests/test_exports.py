import contextlib
import doctest
import importlib
import inspect
import pkgutil
import re

import pytest
from structlog.testing import capture_logs

import waitkit
import waitkit.aws
import waitkit.emulator
import waitkit.emulator.aws
import waitkit.emulator.k8s
import waitkit.extend
import waitkit.k8s
import waitkit.pytest_plugin
import waitkit.testing

PUBLIC_MODULES = [
    waitkit,
    waitkit.extend,
    waitkit.testing,
    waitkit.aws,
    waitkit.k8s,
    waitkit.emulator,
]
# Public type aliases report module "typing", public instances their class's module;
# they are listed here instead.
TYPE_ALIASES = {
    "waitkit": {"Jitter"},
    "waitkit.extend": set(),
    "waitkit.testing": set(),
    "waitkit.aws": set(),
    "waitkit.k8s": {"WATCH_POLICY"},
    "waitkit.emulator": set(),
}


@pytest.mark.parametrize("module", PUBLIC_MODULES, ids=lambda m: m.__name__)
def test_all_matches_the_public_names(module):
    """__all__ is a literal tuple listing exactly the public names the module defines."""
    assert isinstance(module.__all__, tuple)
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not isinstance(value, type(pytest))  # submodules
        and getattr(value, "__module__", module.__name__).startswith(module.__name__)
    } | ({"__version__"} if hasattr(module, "__version__") else set())
    public |= TYPE_ALIASES[module.__name__]
    assert set(module.__all__) == public


@pytest.mark.parametrize("module", [waitkit, waitkit.extend], ids=lambda m: m.__name__)
def test_public_objects_say_they_live_in_waitkit(module):
    """Public classes and functions report their public module, not a private one."""
    for name in module.__all__:
        value = getattr(module, name)
        if name not in TYPE_ALIASES[module.__name__] and callable(value):
            assert value.__module__ == module.__name__, name


@pytest.mark.parametrize("name", sorted(waitkit._MOVED_TO_EXTEND))
def test_names_moved_to_extend_still_import_from_the_root_with_a_warning(name):
    """The old root spelling of an extension name is the same object, and warns once used."""
    with pytest.warns(DeprecationWarning, match=f"waitkit.{name} moved to waitkit.extend.{name}"):
        value = getattr(waitkit, name)
    assert value is getattr(waitkit.extend, name)
    assert name not in waitkit.__all__


def test_the_old_name_of_execution_error_details_warns():
    """waitkit.aws.ExecutionError still imports (renamed: it is data, not an exception)."""
    with pytest.warns(DeprecationWarning, match="renamed waitkit.aws.ExecutionErrorDetails"):
        from waitkit.aws import ExecutionError
    assert ExecutionError is waitkit.aws.ExecutionErrorDetails
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = waitkit.aws.Nope


@pytest.mark.parametrize(
    "module", [waitkit.emulator, waitkit.emulator.aws], ids=lambda m: m.__name__
)
@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("ExecutionError", "ScriptedExecutionError"),
        ("QueryStatistics", "ScriptedQueryStatistics"),
    ],
)
def test_the_old_names_of_the_emulators_scripted_models_warn(module, old, new):
    """The emulator's models renamed apart from the library's classes still import, and warn."""
    with pytest.warns(DeprecationWarning, match=f"{module.__name__}.{old} was renamed .*{new}"):
        value = getattr(module, old)
    assert value is getattr(module, new)
    assert old not in module.__all__
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = module.Nope


def test_the_old_name_of_the_emulators_job_phase_warns():
    """waitkit.emulator.k8s.JobPhase (a Literal of scripted phases) is not waitkit.k8s.JobPhase."""
    with pytest.warns(DeprecationWarning, match="JobPhase was renamed .*ScriptedJobPhase"):
        value = waitkit.emulator.k8s.JobPhase
    assert value is waitkit.emulator.k8s.ScriptedJobPhase
    assert "JobPhase" not in waitkit.emulator.k8s.__all__
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = waitkit.emulator.k8s.Nope


def test_the_old_emulator_name_warns_where_it_is_imported():
    """The warning points at the importing line, so -W error and filters find the user's code."""
    with pytest.warns(DeprecationWarning, match="ScriptedExecutionError") as caught:
        from waitkit.emulator import ExecutionError  # noqa: F401
    assert caught[0].filename == __file__


def test_an_unknown_root_name_is_still_an_attribute_error():
    """The deprecation hook answers only the moved names."""
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = waitkit.Nope


def test_version_is_set():
    """waitkit.__version__ comes from the installed metadata."""
    assert waitkit.__version__ != "0+unknown"


def test_core_imports_no_provider_and_no_asyncio():
    """The engine depends on anyio only: no asyncio, aiobotocore or kubernetes_asyncio imports.

    One package is the exception: _asyncio_native/ holds what the engine does natively
    when the running loop is asyncio's (and is used only then).
    """
    import ast
    from pathlib import Path

    core = Path(waitkit.__file__).parent / "_core"
    native = core / "_asyncio_native"
    for path in core.rglob("*.py"):
        if native in path.parents:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                root = name.split(".")[0]
                assert root not in {"asyncio", "aiobotocore", "botocore", "kubernetes_asyncio"}, (
                    f"{path.name} imports {name}"
                )


def _engine_modules():
    names = [waitkit.__name__, "waitkit.testing"]
    names += [f"waitkit._core.{m.name}" for m in pkgutil.iter_modules(waitkit._core.__path__)]
    return names


@pytest.mark.parametrize("name", _engine_modules())
def test_docstring_examples_run(name):
    """Every example in the engine's docstrings runs and shows what it claims."""
    module = importlib.import_module(name)
    with capture_logs():  # structlog's stock config would print the events into the output
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


PRIVATE_TEXT = re.compile(r"waitkit(?:\.\w+)*\._\w+|<waitkit\.[\w.]+ object|object at 0x")


def _documented(module):
    """Each public object of ``module`` and each public member of its classes."""
    for name in module.__all__:
        value = getattr(module, name)
        yield f"{module.__name__}.{name}", value
        if isinstance(value, type):
            for member, attribute in vars(value).items():
                if not member.startswith("_"):
                    yield f"{module.__name__}.{name}.{member}", attribute


@pytest.mark.parametrize(
    "module", [*PUBLIC_MODULES, waitkit.pytest_plugin], ids=lambda m: m.__name__
)
def test_the_reference_names_no_private_module(module):
    """What autodoc renders (docstrings, signature defaults) names no private module or repr.

    The built site is checked as a whole by ``nox -s docs``; this is its fast half.
    """
    leaks = []
    for where, value in _documented(module):
        function = value.fget if isinstance(value, property) else value
        texts = [inspect.getdoc(function) or ""]
        if callable(function):
            with contextlib.suppress(TypeError, ValueError):  # builtins, some C types
                texts += [repr(p.default) for p in inspect.signature(function).parameters.values()]
        leaks += [f"{where}: {m.group()}" for text in texts for m in PRIVATE_TEXT.finditer(text)]
    assert leaks == []
