"""What the engine does natively when the loop is asyncio's: the one package that imports asyncio.

The engine runs on anyio (so on trio and on virtual-time loops too). Three of anyio's
conveniences cost objects per pending wait that, at 10,000 waits, are most of what the
garbage collector walks, and CPU the engine's own work is measured against
(benchmarks/scaling.py); on asyncio they are replaced here, and only here, one module
each:

- ``_sleep``: :func:`sleep`, a wait's sleep as a future its timer resolves (anyio's
  awaits ``asyncio.sleep``, a coroutine around that future), and :func:`loop_clock`,
  the loop's ``time`` read with no lookup of the running backend.
- ``_group``: :class:`NativeGroup`, ``wait_all``'s waits as plain asyncio tasks with the
  task group's guarantees kept by hand.
- ``_scope``: :class:`NativeCancelScope`, the poll loop's deadline scope, and
  :func:`native_deadline`, what anyio's ``current_effective_deadline()`` cannot see of it;
  ``_wheel`` keeps its deadlines off the loop's timer heap until they are near.

``_runtime.current_runtime()`` picks these when the running backend is asyncio's;
``tests/test_exports.py`` checks that no other engine module imports asyncio.
"""

from __future__ import annotations

from waitkit._core._asyncio_native._group import NativeGroup
from waitkit._core._asyncio_native._scope import NativeCancelScope, native_deadline
from waitkit._core._asyncio_native._sleep import loop_clock, sleep

__all__ = ("NativeCancelScope", "NativeGroup", "loop_clock", "native_deadline", "sleep")
