"""Sphinx configuration: MyST Markdown pages, autodoc with Google-style docstrings, furo."""

from __future__ import annotations

from importlib.metadata import version as _version

project = "waitkit"
author = "waitkit developers"
copyright = "2026, waitkit developers"
release = _version("waitkit")
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False

html_theme = "furo"
html_title = f"waitkit {release}"
