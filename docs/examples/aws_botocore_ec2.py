"""botocore's EC2 waiters on waitkit's engine: a policy of your own, and the last response.

Starts an instance, waits for it to run, then waits (in vain, briefly) for it to stop.
Uses your usual AWS configuration (``AWS_ENDPOINT_URL`` for another endpoint); the
test suite runs it against moto's server. Do not point it at an account you care
about: it leaves the instance running.
"""

from __future__ import annotations

import asyncio

from aiobotocore.session import get_session

from waitkit.aws import botocore_waiter


async def main() -> None:
    async with get_session().create_client("ec2") as ec2:
        started = await ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)
        instance_id = iid = started["Instances"][0]["InstanceId"]
        # docs-start policy
        from waitkit import Policy

        fast = Policy(min_delay=2, max_delay=15, timeout=600)
        waiter = botocore_waiter(ec2, "instance_running", policy=fast, InstanceIds=[instance_id])
        result = await waiter.wait()  # or .wait(timeout=120) for this wait only
        # docs-end policy
        print(result.state.summary())
        # docs-start timeout
        from waitkit import WaitTimeoutError

        try:
            await botocore_waiter(ec2, "instance_stopped", InstanceIds=[iid]).wait(timeout=1)
        except WaitTimeoutError as error:
            print(error.state.response["Reservations"][0]["Instances"][0]["State"])
        # docs-end timeout


if __name__ == "__main__":
    asyncio.run(main())
