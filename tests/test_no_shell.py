import ast
from pathlib import Path

import waitkit

SOURCE = Path(waitkit.__file__).parent
FORBIDDEN_MODULES = {"subprocess", "pty", "multiprocessing"}
FORBIDDEN_CALLS = {"system", "popen", "spawnl", "spawnv", "execv", "execl", "execve", "execvp"}


def python_files() -> list[Path]:
    """Every module of the installed library."""
    return sorted(SOURCE.rglob("*.py"))


def test_library_code_never_shells_out():
    """No module imports subprocess, pty or multiprocessing, or calls os.system/exec*/popen."""
    offenders: list[str] = []
    for path in python_files():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module.split(".")[0]]
            else:
                names = []
            offenders += [f"{path.name}: import {n}" for n in names if n in FORBIDDEN_MODULES]
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "os"
                and node.func.attr in FORBIDDEN_CALLS
            ):
                offenders.append(f"{path.name}:{node.lineno}: os.{node.func.attr}")
    assert python_files()
    assert offenders == []
