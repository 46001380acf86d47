"""The stand-in for Snakemake's pipe-input check answers exactly as Snakemake's own check."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest
from snakemake.jobs import Job

from labledger.snakemake_speedups import MIN_DEPENDENCIES, faster_pipe_input_check

#: Snakemake's own check (also when this process installed the stand-in already).
ORIGINAL = Job.__dict__["is_pipe_or_service_input"]
ORIGINAL = getattr(ORIGINAL, "_labledger_original", ORIGINAL)


@dataclass(eq=False)
class FakeJob:
    """What the check reads of a job: its DAG's dependencies and its pipe or service outputs."""

    dag: FakeDag
    pipe_or_service_output: set[str] = field(default_factory=set)


@dataclass
class FakeDag:
    dependencies: dict[FakeJob, dict[FakeJob, set[str]]] = field(default_factory=dict)


def _job_with_dependencies(rng: random.Random, n_deps: int) -> tuple[FakeJob, list[str]]:
    dag = FakeDag()
    job = FakeJob(dag)
    deps: dict[FakeJob, set[str]] = {}
    paths = []
    for i in range(n_deps):
        dep = FakeJob(dag)
        files = {f"results/{i}.json", f"results/{i}.svg"}
        if rng.random() < 0.2:
            files.add("results/shared.txt")  # a file two jobs hold: the first one decides
        if rng.random() < 0.1:
            dep.pipe_or_service_output = {rng.choice(sorted(files))}
        deps[dep] = files
        paths.extend(files)
    dag.dependencies[job] = deps
    return job, [*sorted(set(paths)), "records/not-an-output.yaml"]


@pytest.mark.no_database
@pytest.mark.parametrize("n_deps", [3, MIN_DEPENDENCIES, 500])
def test_the_stand_in_answers_as_snakemake_does(
    n_deps: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Job, "is_pipe_or_service_input", ORIGINAL)  # restored afterwards
    assert faster_pipe_input_check(), "this Snakemake's check is not the one replaced"
    stand_in = Job.__dict__["is_pipe_or_service_input"]
    rng = random.Random(n_deps)
    for _ in range(5):
        job, paths = _job_with_dependencies(rng, n_deps)
        expected = {p: ORIGINAL(job, p) for p in paths}
        assert any(expected.values()) or n_deps < 10
        assert {p: stand_in(job, p) for p in paths} == expected
        # a dependency added later (the DAG changed) is seen
        extra = FakeJob(job.dag, {"results/late.pipe"})
        job.dag.dependencies[job][extra] = {"results/late.pipe"}
        assert stand_in(job, "results/late.pipe") is ORIGINAL(job, "results/late.pipe") is True


@pytest.mark.no_database
def test_another_snakemake_keeps_its_own_check(monkeypatch: pytest.MonkeyPatch) -> None:
    def changed_check(self, path):  # type: ignore[no-untyped-def]
        return False

    monkeypatch.setattr(Job, "is_pipe_or_service_input", changed_check)
    assert not faster_pipe_input_check()
    assert Job.__dict__["is_pipe_or_service_input"] is changed_check
