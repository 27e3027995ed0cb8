"""The aiobotocore session and clients of one command: one client per service, closed at the end."""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any, Final, final

from waitkit._cli._errors import MissingExtraError, UsageError

# botocore's standard retry mode retries throttling and 5xx a few times itself; the
# engine classifies what is left. The user agent tells AWS these calls are waitkit's.
_RETRIES: Final = {"mode": "standard"}
_USER_AGENT: Final = "waitkit-cli"


@final
class AwsClients:
    """Creates aiobotocore clients on first use, one per service, from the AWS options.

    Credentials come from botocore's usual chain (environment, profile, SSO, instance
    metadata); this class never reads, logs or prints them.

    Args:
        stack: the clients are entered into it, so they close when it does.
        region: ``--region``.
        profile: ``--profile``.
        endpoint_url: ``--endpoint-url``.
        credentials: an access key pair to use instead of botocore's chain (the demo's
            fake keys for its emulator).
    """

    def __init__(
        self,
        stack: AsyncExitStack,
        *,
        region: str | None = None,
        profile: str | None = None,
        endpoint_url: str | None = None,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        if endpoint_url is not None and not endpoint_url.startswith(("http://", "https://")):
            msg = f"--endpoint-url must start with http:// or https://, got {endpoint_url!r}"
            raise UsageError(msg)
        self._stack = stack
        self._region = region
        self._profile = profile
        self._endpoint_url = endpoint_url
        self._credentials = credentials
        self._session: Any = None
        self._clients: dict[str, Any] = {}

    async def client(self, service: str) -> Any:  # noqa: ANN401 - one client type per service
        """The aiobotocore client of ``service`` (``"autoscaling"``, ``"lambda"``, ...)."""
        if service not in self._clients:
            try:
                from aiobotocore.config import AioConfig  # noqa: PLC0415 - extra 'aws'
                from aiobotocore.session import AioSession  # noqa: PLC0415
            except ImportError as exc:
                raise MissingExtraError("aws", f"waiting on {service}") from exc
            if self._session is None:
                self._session = AioSession(profile=self._profile)
            keys: dict[str, str] = {}
            if self._credentials is not None:
                keys = dict(
                    zip(
                        ("aws_access_key_id", "aws_secret_access_key"),
                        self._credentials,
                        strict=True,
                    )
                )
            creator = self._session.create_client(
                service,
                region_name=self._region,
                endpoint_url=self._endpoint_url,
                config=AioConfig(retries=_RETRIES, user_agent_extra=_USER_AGENT),
                **keys,
            )
            self._clients[service] = await self._stack.enter_async_context(creator)
        return self._clients[service]
