"""ConditionWaiter: kubectl-wait expressions over any kind, any_of, generations, create/delete."""

from __future__ import annotations

import pytest

from waitkit import (
    ConfigurationError,
    ResourceNotFoundError,
    WaitFailedError,
    WaitTimeoutError,
    wait_all,
)
from waitkit.emulator.k8s import JobPoint, JobScenario, KubernetesScenario, PodPoint, PodScenario
from waitkit.k8s import ConditionWaiter

from .conftest import FAST, Start, meanwhile, step_through, when

pytestmark = pytest.mark.anyio


def _jobs(*jobs: JobScenario) -> KubernetesScenario:
    return KubernetesScenario(jobs=list(jobs))


async def test_condition_met(start: Start) -> None:
    """condition=Complete (any case) succeeds once the Job's condition is True."""
    env = await start(_jobs(JobScenario(name="etl", timeline=[JobPoint(at=0.3, phase="complete")])))
    waiter = ConditionWaiter(env.api, "job", "etl", for_="condition=complete", policy=FAST)
    result = await meanwhile(waiter.wait(), when(env.watch_opened(), env.advance))
    assert result.state.matched == ("condition=complete",)
    assert ("Complete", "True") in [(c.type, c.status) for c in result.state.conditions]


async def test_condition_value_false(start: Start) -> None:
    """condition=Suspended=False matches a resumed Job; =True a suspended one."""
    env = await start(
        _jobs(
            JobScenario(name="s", suspend=True),
            JobScenario(name="r", suspend=True, timeline=[JobPoint(at=0.2, phase="running")]),
        )
    )
    waiter = ConditionWaiter(env.api, "jobs.batch", "s", for_="condition=Suspended", policy=FAST)
    assert (await waiter.wait()).state.matched == ("condition=Suspended",)
    resumed = ConditionWaiter(env.api, "job", "r", for_="condition=Suspended=False", policy=FAST)
    states = await step_through(env, resumed)
    assert [state.matched for state in states] == [(), ("condition=Suspended=False",)]


async def test_any_of_reports_the_match(start: Start) -> None:
    """any_of=[Complete, Failed] ends on whichever holds and says which."""
    env = await start(_jobs(JobScenario(name="etl", timeline=[JobPoint(at=0.3, phase="failed")])))
    waiter = ConditionWaiter(
        env.api, "job", "etl", any_of=["condition=Complete", "condition=Failed"], policy=FAST
    )
    result = await meanwhile(waiter.wait(), when(env.watch_opened(), env.advance))
    assert result.state.matched == ("condition=Failed",)


async def test_all_of_needs_every_expression(start: Start) -> None:
    """Several for_ expressions must all hold (kubectl's repeated --for)."""
    env = await start(
        _jobs(
            JobScenario(
                name="etl",
                timeline=[JobPoint(at=0.2, phase="succeeding"), JobPoint(at=0.5, phase="complete")],
            )
        )
    )
    waiter = ConditionWaiter(
        env.api,
        "job",
        "etl",
        for_=["condition=SuccessCriteriaMet", "condition=Complete"],
        policy=FAST,
    )
    # One point at a time: SuccessCriteriaMet alone does not end the wait, Complete does.
    states = await step_through(env, waiter)
    assert [set(state.matched) for state in states] == [
        set(),
        {"condition=SuccessCriteriaMet"},
        {"condition=SuccessCriteriaMet", "condition=Complete"},
    ]


async def test_jsonpath_value(start: Start) -> None:
    """jsonpath={.status.phase}=Running on a pod; a filter expression on a job."""
    env = await start(
        KubernetesScenario(
            jobs=[JobScenario(name="etl", timeline=[JobPoint(at=0.2, phase="complete")])],
            pods=[
                PodScenario(
                    name="web", timeline=[PodPoint(at=0), PodPoint(at=0.3, phase="Running")]
                )
            ],
        )
    )
    pod = ConditionWaiter(
        env.api, "pods", "web", for_="jsonpath={.status.phase}=Running", policy=FAST
    )
    state = (await meanwhile(pod.wait(), when(env.watch_opened("pods"), env.advance))).state
    assert state.values == (("jsonpath={.status.phase}=Running", "Running"),)
    job = ConditionWaiter(
        env.api,
        "job",
        "etl",
        for_="jsonpath='{.status.conditions[?(@.type==\"Complete\")].status}'=True",
        policy=FAST,
    )
    assert (await job.wait()).state.matched


async def test_jsonpath_without_value_waits_for_presence(start: Start) -> None:
    """jsonpath={.status.completionTime} with no value holds once the field is set."""
    env = await start(_jobs(JobScenario(name="etl", timeline=[JobPoint(at=0.3, phase="complete")])))
    waiter = ConditionWaiter(
        env.api, "job", "etl", for_="jsonpath={.status.completionTime}", policy=FAST
    )
    states = await step_through(env, waiter)
    assert states[0].values == (("jsonpath={.status.completionTime}", None),)
    state = states[-1]
    assert state.values[0][1] is not None


async def test_jsonpath_to_a_list_fails(start: Start) -> None:
    """A jsonpath that leads to a list fails, as kubectl refuses it."""
    env = await start(_jobs(JobScenario(name="etl")))
    waiter = ConditionWaiter(
        env.api, "job", "etl", for_="jsonpath={.spec.template.spec.containers}", policy=FAST
    )
    with pytest.raises(WaitFailedError, match="nested object or list"):
        await waiter.wait()


async def test_delete(start: Start) -> None:
    """The delete expression succeeds when the object goes away (at once if already gone)."""
    env = await start(_jobs(JobScenario(name="etl")))
    waiter = ConditionWaiter(env.api, "job", "etl", for_="delete", policy=FAST)
    result = await meanwhile(
        waiter.wait(), when(env.watch_opened(), lambda: env.kube.delete_job("etl"))
    )
    assert [entry.state.exists for entry in result.history] == [True, False]
    again = await ConditionWaiter(env.api, "job", "etl", for_="delete", policy=FAST).wait()
    assert again.attempts == 1


async def test_create(start: Start) -> None:
    """The create expression waits for the object to appear."""
    env = await start()
    waiter = ConditionWaiter(env.api, "job", "late", for_="create", policy=FAST)
    result = await meanwhile(
        waiter.wait(),
        when(env.watch_opened(), lambda: env.kube.create_job(JobScenario(name="late"))),
    )
    assert [entry.state.exists for entry in result.history] == [False, True]


async def test_missing_object_is_not_found(start: Start) -> None:
    """A condition on an object that does not exist raises ResourceNotFoundError (kubectl too)."""
    env = await start()
    with pytest.raises(ResourceNotFoundError):
        await ConditionWaiter(env.api, "job", "nope", for_="condition=Complete", policy=FAST).wait()


async def test_unknown_kind_is_not_found(start: Start) -> None:
    """A kind discovery does not serve is not found (a CRD that is not installed)."""
    env = await start()
    with pytest.raises(ResourceNotFoundError, match="widgets"):
        await ConditionWaiter(env.api, "widgets", "w", for_="condition=Ready", policy=FAST).wait()


async def test_kind_through_discovery(start: Start) -> None:
    """Short and qualified names resolve through discovery (po, pod, jobs.v1.batch)."""
    env = await start(
        KubernetesScenario(
            jobs=[JobScenario(name="etl", timeline=[JobPoint(at=0, phase="complete")])],
            pods=[PodScenario(name="web", timeline=[PodPoint(at=0, phase="Running")])],
        )
    )
    for kind, name, expression in (
        ("po", "web", "jsonpath={.status.phase}=Running"),
        ("Pod", "web", "create"),
        ("jobs.v1.batch", "etl", "condition=Complete"),
    ):
        await ConditionWaiter(env.api, kind, name, for_=expression, policy=FAST).wait()


async def test_stale_generation_does_not_count(start: Start) -> None:
    """A condition whose observedGeneration is behind metadata.generation is not met."""
    from waitkit.k8s._spec import parse_spec

    spec = parse_spec("t", "condition=Ready")
    obj = {
        "metadata": {"generation": 2},
        "status": {"conditions": [{"type": "Ready", "status": "True", "observedGeneration": 1}]},
    }
    assert not spec.holds(obj)
    obj["status"]["conditions"][0]["observedGeneration"] = 2  # type: ignore[index]
    assert spec.holds(obj)
    del obj["status"]["conditions"][0]["observedGeneration"]  # type: ignore[attr-defined]
    obj["status"]["observedGeneration"] = 1  # type: ignore[index]
    assert not spec.holds(obj)


async def test_timeout_names_the_expression(start: Start) -> None:
    """A wait that times out says what it waited for."""
    env = await start(_jobs(JobScenario(name="etl")))
    with pytest.raises(WaitTimeoutError, match="condition=Complete"):
        await ConditionWaiter(env.api, "job", "etl", for_="condition=Complete", policy=FAST).wait(
            timeout=0.1
        )


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"for_": "condition="}, "names no condition"),
        ({"for_": "ready"}, "unrecognized condition"),
        ({"for_": "jsonpath={.a[}"}, "jsonpath"),
        ({"for_": "create", "any_of": ["delete"]}, "exactly one"),
        ({}, "exactly one"),
        ({"any_of": []}, "non-empty"),
    ],
)
async def test_bad_expressions_are_configuration_errors(
    kwargs: dict[str, object], needle: str
) -> None:
    """Bad expressions fail in the constructor, before any API call."""
    from kubernetes_asyncio.client import ApiClient, Configuration

    async with ApiClient(Configuration(host="http://127.0.0.1:9")) as api:  # never called
        with pytest.raises(ConfigurationError, match=needle):
            ConditionWaiter(api, "job", "etl", **kwargs)  # type: ignore[arg-type]


async def test_shared_condition_waiters_use_one_stream(start: Start) -> None:
    """shared=True: condition waits on many objects of a kind share one namespace stream."""
    env = await start(
        _jobs(
            *[
                JobScenario(name=f"j{i}", timeline=[JobPoint(at=0.3, phase="complete")])
                for i in range(5)
            ]
        )
    )
    waiters = [
        ConditionWaiter(
            env.api, "job", f"j{i}", for_="condition=Complete", shared=True, policy=FAST
        )
        for i in range(5)
    ]
    await meanwhile(wait_all(waiters), when(env.watch_opened(), env.advance))
    assert env.emu.counters.watches_opened == 1


async def test_each_wait_of_one_waiter_has_its_own_target(start: Start) -> None:
    """One ConditionWaiter awaited twice at once: two targets; observe() alone is one look."""
    env = await start(_jobs(JobScenario(name="etl", timeline=[JobPoint(at=0.3, phase="complete")])))
    waiter = ConditionWaiter(env.api, "job", "etl", for_="condition=Complete", policy=FAST)
    assert waiter.for_wait(None) is not waiter.for_wait(None)
    assert (await waiter.observe()).matched == ()
    results = await meanwhile(wait_all([waiter, waiter]), when(env.watch_opened(), env.advance))
    assert [result.state.matched for result in results] == [("condition=Complete",)] * 2
