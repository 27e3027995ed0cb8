"""Sphinx configuration: MyST Markdown pages, autodoc with Google-style docstrings, furo."""

from __future__ import annotations

from importlib.metadata import version as _version
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docutils.nodes import Element
    from sphinx.application import Sphinx

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
# A reader who ran `pytest docs/examples/...` has a cache there; it is not a page.
exclude_patterns = ["_build", "**/.pytest_cache"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False

html_theme = "furo"
html_title = f"waitkit {release}"

#: Private names in annotations, and the public name each is shown as (the sentinel's
#: class is private; its one instance, `waitkit.extend.UNSET`, is what callers pass).
PUBLIC_NAMES = {"_Unset": "UNSET"}


def _public_bases(app: Sphinx, name: str, obj: object, options: object, bases: list[type]) -> None:  # noqa: ARG001
    """Show a class's nearest public bases, never a private helper class (``_Frozen``)."""
    shown = []
    pending = list(bases)
    while pending:
        base = pending.pop(0)
        if getattr(base, "__name__", "").startswith("_"):
            pending[:0] = [b for b in base.__bases__ if b is not object]
        elif base not in shown:
            shown.append(base)
    bases[:] = shown


def _public_annotations(app: Sphinx, domain: str, objtype: str, content: Element) -> None:  # noqa: ARG001
    """Rename private classes in the merged type hints (``Duration | _Unset | None``)."""
    from docutils import nodes  # noqa: PLC0415 - only Sphinx runs this
    from sphinx.addnodes import pending_xref  # noqa: PLC0415

    for xref in list(content.findall(pending_xref)):
        public = PUBLIC_NAMES.get(xref.get("reftarget", "").rsplit(".", 1)[-1])
        if public is not None:
            xref.replace_self(nodes.Text(public))
    # Annotations autodoc could not resolve stay text: rename in place.
    for text in list(content.findall(nodes.Text)):
        renamed = str(text)
        for private, public in PUBLIC_NAMES.items():
            renamed = renamed.replace(private, public)
        if renamed != str(text):
            text.parent.replace(text, nodes.Text(renamed))


def setup(app: Sphinx) -> None:
    """Connect the hooks that keep private names out of the reference."""
    app.connect("autodoc-process-bases", _public_bases)
    # After autodoc merged the type hints into the descriptions (priority 500).
    app.connect("object-description-transform", _public_annotations, priority=600)
