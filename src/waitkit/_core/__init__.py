"""The engine: policy, backoff, deadline, waiter, groups, shared observation, errors, logging.

Knows no provider: nothing here imports aiobotocore, kubernetes_asyncio or asyncio.
The public names are re-exported from :mod:`waitkit`.
"""
