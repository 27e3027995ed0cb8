"""Old spellings of renamed public names, importable for one release with a DeprecationWarning.

The emulator shares no code with the library (it must not be wrong together with the
clients it serves), so it has its own copy of this small hook instead of the library's.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

#: The AWS scenario models' old names (old -> new), exported by ``waitkit.emulator`` and
#: ``waitkit.emulator.aws``. They were renamed because the library has classes of those
#: names (``waitkit.aws.QueryStatistics``, the old ``waitkit.aws.ExecutionError``).
AWS_MODELS = {
    "ExecutionError": "ScriptedExecutionError",
    "QueryStatistics": "ScriptedQueryStatistics",
}

#: The Kubernetes scenario's old names (old -> new), exported by ``waitkit.emulator.k8s``:
#: ``waitkit.k8s.JobPhase`` is the library's enum of a Job's phases.
K8S_MODELS = {"JobPhase": "ScriptedJobPhase"}


def attribute(
    module: str, name: str, renamed: Mapping[str, str], namespace: Mapping[str, object]
) -> object:
    """The value of ``name`` if it is an old spelling in ``renamed`` (warns); else AttributeError.

    Called from a package's module ``__getattr__``: ``renamed`` maps each old name to its
    new one, ``namespace`` is the package's ``globals()``.
    """
    if name in renamed:
        new = renamed[name]
        warnings.warn(
            f"{module}.{name} was renamed {module}.{new}; the old name goes in the next release",
            DeprecationWarning,
            stacklevel=3,  # the import or attribute access that used the old name
        )
        return namespace[new]
    msg = f"module {module!r} has no attribute {name!r}"
    raise AttributeError(msg)
