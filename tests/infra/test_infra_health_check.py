"""The post-deploy check: healthy only when the API answers 200 directly and through CloudFront."""

from __future__ import annotations

import pytest

from pipeline.health_check import ATTEMPTS, check, health_urls

pytestmark = pytest.mark.xdist_group("infra")

OUTPUTS = {"Isoflow": {"ApiUrl": "https://abc.execute-api.eu-west-1.amazonaws.com/prod/api",
                       "SiteUrl": "https://d111.cloudfront.net"}}  # fmt: skip


def test_checks_the_api_directly_and_through_the_site() -> None:
    assert health_urls(OUTPUTS) == [
        "https://abc.execute-api.eu-west-1.amazonaws.com/prod/api/health",
        "https://d111.cloudfront.net/api/health",
    ]


def test_a_deployment_that_settles_is_healthy() -> None:
    answers = iter([(503, "warming"), (200, "{}"), (200, "{}"), (200, "{}")])
    assert (
        check(["https://a/api/health", "https://b/api/health"], get=lambda _: next(answers), sleep=lambda _: None) == []
    )


def test_an_unhealthy_api_fails_with_its_answer() -> None:
    calls = []

    def get(url: str) -> tuple[int, str]:
        calls.append(url)
        return 503, '{"status": "degraded"}'

    failures = check(["https://a/api/health"], get=get, sleep=lambda _: None)
    assert failures == ['https://a/api/health answered 503: {"status": "degraded"}']
    assert len(calls) == ATTEMPTS
