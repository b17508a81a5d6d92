from fastapi import FastAPI
from fastapi.testclient import TestClient

from civicflow.intake.entrypoints.limits import RequestLimits
from civicflow.intake.entrypoints.rate_limit import MAX_CLIENTS, TokenBuckets
from civicflow.shared.problems import install_problem_handlers


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_client_gets_its_burst_then_one_request_per_interval() -> None:
    clock = Clock()
    buckets = TokenBuckets(per_minute=6, burst=2, clock=clock)  # one every 10 s
    assert [buckets.take("a"), buckets.take("a")] == [0, 0]
    assert buckets.take("a") == 10.0
    assert buckets.take("b") == 0  # another address has its own bucket
    clock.now += 10
    assert buckets.take("a") == 0 and buckets.take("a") > 0


def test_the_buckets_stay_bounded_whatever_the_number_of_addresses() -> None:
    buckets = TokenBuckets(per_minute=60, burst=1)
    for index in range(MAX_CLIENTS + 50):
        buckets.take(f"10.0.{index // 256}.{index % 256}")
    assert len(buckets) == MAX_CLIENTS


def test_over_the_limit_a_post_is_a_429_problem_with_retry_after_and_reads_are_not_limited() -> None:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(RequestLimits, buckets=TokenBuckets(per_minute=1, burst=2))

    @app.post("/v1/submissions")
    async def submit() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/v1/services")
    async def services() -> dict[str, str]:
        return {"ok": "yes"}

    client = TestClient(app)
    assert [client.post("/v1/submissions").status_code for _ in range(2)] == [200, 200]
    refused = client.post("/v1/submissions")
    assert refused.status_code == 429 and refused.headers["content-type"] == "application/problem+json"
    assert 55 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["type"] == "/problems/too-many-requests"
    assert {client.get("/v1/services").status_code for _ in range(5)} == {200}


def test_a_path_with_a_bucket_of_its_own_never_uses_up_the_submissions_bucket() -> None:
    app = FastAPI()
    install_problem_handlers(app)
    own = {"/v1/experience": TokenBuckets(per_minute=1, burst=3)}
    app.add_middleware(RequestLimits, buckets=TokenBuckets(per_minute=1, burst=2), own_buckets=own)

    @app.post("/v1/submissions")
    async def submit() -> dict[str, str]:
        return {"ok": "yes"}

    @app.post("/v1/experience")
    async def experience() -> dict[str, str]:
        return {"ok": "yes"}

    client = TestClient(app)
    assert [client.post("/v1/experience").status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = client.post("/v1/experience")
    assert refused.json()["type"] == "/problems/too-many-requests" and int(refused.headers["retry-after"]) > 0
    # The reports used up their own bucket, none of the submissions' burst.
    assert [client.post("/v1/submissions").status_code for _ in range(3)] == [200, 200, 429]
