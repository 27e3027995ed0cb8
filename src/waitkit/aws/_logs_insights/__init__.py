"""CloudWatch Logs Insights: start a query, wait for it, return typed rows.

One job a module: ``_models`` (states, results, the verdict), ``_slots`` (the admission
gate), ``_results`` (reading GetQueryResults), ``_query_wait`` (one wait's target:
start, look, stop), ``_waiters`` (QueryWaiter and the starting waiter), ``_query``
(LogsInsightsQuery) and ``_arguments`` (its argument checks).

``StartQuery`` -> ``GetQueryResults`` until the status is terminal -> page ``nextToken``.

=================================  =========================================================
status                             verdict
=================================  =========================================================
``Scheduled``, ``Running``         pending
``Complete``                       success (pending while fewer than ``min_rows`` rows:
                                   the query is run again)
``Failed``, ``Cancelled``,         failure
``Timeout``
``Unknown``                        pending for ``unknown_grace`` seconds in a row, then
                                   failure (AWS does not document it as terminal)
anything else                      unknown: the policy's ``unknown_status`` decides
=================================  =========================================================

Admission: AWS allows a bounded number of concurrent queries per account. A
:class:`QuerySlots` gate (one per process by default, 30 slots) lets at most that many
of this process's queries run at once; the rest wait their turn, in order. When the
account is full anyway (other processes, dashboards), ``StartQuery`` answers
``LimitExceededException``, which the engine treats as throttling: it backs off and
tries again, and it never counts as a failure.
"""
