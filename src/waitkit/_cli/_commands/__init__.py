"""The registered subcommands, in the order ``--help`` lists them.

To add one: write a module here that defines ``COMMAND`` (a
:class:`~waitkit._cli._command.WaitCommand`, or any
:class:`~waitkit._cli._command.Command`), and add it to this tuple. Import provider
libraries (aiobotocore, kubernetes_asyncio, rich) inside the functions, not at the
top, so ``waitkit --help`` works without the extras.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from waitkit._cli._commands import (
    asg_refresh,
    botocore,
    demo,
    durable,
    emulator,
    k8s_job,
    k8s_wait,
    logs_query,
)

if TYPE_CHECKING:
    from waitkit._cli._command import Command

COMMANDS: Final[tuple[Command, ...]] = (
    asg_refresh.COMMAND,
    durable.COMMAND,
    logs_query.COMMAND,
    botocore.COMMAND,
    k8s_job.COMMAND,
    k8s_wait.COMMAND,
    emulator.COMMAND,
    demo.COMMAND,
)
