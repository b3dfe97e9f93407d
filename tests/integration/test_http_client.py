"""The polite client against a real HTTP server on 127.0.0.1 (pytest-httpserver)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from etl.sources.http_client import CacheEntry, FetchFailed, FetchRefused, PoliteClient

UA = "ReintegrationLMIS-test/0.1 (+https://observatoire.example; data@observatoire.example)"


@pytest.fixture(scope="module")
def shared_server() -> Iterator[HTTPServer]:
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def server(shared_server: HTTPServer) -> Iterator[HTTPServer]:
    shared_server.clear()
    yield shared_server
    shared_server.clear()


def client_for(server: HTTPServer, **kwargs) -> PoliteClient:
    options = dict(allow_private=True, rate_per_host=1000.0, timeout=(2, 2), backoff=0.01,
                   max_retries=3)
    options.update(kwargs)
    return PoliteClient(UA, {"127.0.0.1"}, **options)


def sequence(*responses: Response | object):
    """A handler answering with each response in turn (the last one repeats).

    Used instead of ordered expectations so that robots.txt can be asked in between.
    """
    queue = list(responses)

    def handler(request: Request) -> Response:
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        return item(request) if callable(item) and not isinstance(item, Response) else item

    return handler


def no_robots(server: HTTPServer) -> None:
    server.expect_request("/robots.txt").respond_with_data("", status=404)


def test_user_agent_is_sent_and_body_checksummed(server: HTTPServer) -> None:
    no_robots(server)
    seen: list[str] = []

    def handler(request: Request) -> Response:
        seen.append(request.headers.get("User-Agent", ""))
        return Response("<p>bonjour</p>", content_type="text/html; charset=utf-8",
                        headers={"ETag": '"v1"'})

    server.expect_request("/page").respond_with_handler(handler)
    result = client_for(server).get(server.url_for("/page"))
    assert result.status == 200 and result.body == b"<p>bonjour</p>"
    assert seen == [UA]
    assert result.headers["etag"] == '"v1"'
    assert result.sha256 == hashlib.sha256(b"<p>bonjour</p>").hexdigest()
    assert result.fetched_at.tzinfo is not None


def test_robots_disallow_is_refused_without_requesting_the_page(server: HTTPServer) -> None:
    server.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    server.expect_request("/private/job.html").respond_with_data("secret")
    server.expect_request("/public/job.html").respond_with_data("ok")
    client = client_for(server)
    with pytest.raises(FetchRefused, match="robots.txt") as err:
        client.get(server.url_for("/private/job.html"))
    assert "/private/job.html" in str(err.value)
    assert client.get(server.url_for("/public/job.html")).body == b"ok"
    paths = [req.path for req, _ in server.log]
    assert "/private/job.html" not in paths
    assert paths.count("/robots.txt") == 1  # read once per origin


def test_robots_rules_for_our_agent_name(server: HTTPServer) -> None:
    server.expect_request("/robots.txt").respond_with_data(
        "User-agent: ReintegrationLMIS-test\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    with pytest.raises(FetchRefused, match="disallowed"):
        client_for(server).get(server.url_for("/jobs"))


def test_robots_5xx_means_do_not_crawl(server: HTTPServer) -> None:
    server.expect_request("/robots.txt").respond_with_data("down", status=503)
    with pytest.raises(FetchRefused, match="robots.txt"):
        client_for(server, max_retries=1).get(server.url_for("/jobs"))


def test_429_with_retry_after_is_honoured(server: HTTPServer) -> None:
    no_robots(server)
    server.expect_request("/busy").respond_with_handler(sequence(
        Response("slow down", status=429, headers={"Retry-After": "1"}), Response("fine")))
    client = client_for(server)
    started = time.monotonic()
    result = client.get(server.url_for("/busy"))
    elapsed = time.monotonic() - started
    assert result.body == b"fine" and result.attempts == 2
    assert elapsed >= 0.95, f"Retry-After: 1 was not waited for ({elapsed:.2f}s)"


def test_retry_after_beyond_cap_fails_without_waiting(server: HTTPServer) -> None:
    no_robots(server)
    server.expect_request("/busy").respond_with_data("no", status=503,
                                                     headers={"Retry-After": "3600"})
    client = client_for(server, max_retry_after=5)
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="Retry-After") as err:
        client.get(server.url_for("/busy"))
    assert err.value.status == 503
    assert time.monotonic() - started < 2


def test_500_then_success(server: HTTPServer) -> None:
    no_robots(server)
    server.expect_request("/flaky").respond_with_handler(sequence(
        Response("oops", status=500), Response("oops", status=502), Response("finally")))
    result = client_for(server).get(server.url_for("/flaky"))
    assert result.status == 200 and result.body == b"finally" and result.attempts == 3


def test_persistent_500_fails_with_url_and_status(server: HTTPServer) -> None:
    no_robots(server)
    server.expect_request("/down").respond_with_data("oops", status=500)
    with pytest.raises(FetchFailed) as err:
        client_for(server, max_retries=2).get(server.url_for("/down"))
    assert err.value.status == 500 and err.value.attempts == 3
    assert "/down" in str(err.value) and "HTTP 500" in str(err.value)
    assert sum(1 for req, _ in server.log if req.path == "/down") == 3


def test_timeout_is_retried_then_reported(server: HTTPServer) -> None:
    no_robots(server)

    def slow(request: Request) -> Response:
        time.sleep(0.6)
        return Response("late")

    server.expect_request("/slow").respond_with_handler(slow)
    client = client_for(server, timeout=(1, 0.2), max_retries=1)
    with pytest.raises(FetchFailed, match="timed out") as err:
        client.get(server.url_for("/slow"))
    assert err.value.attempts == 2


def test_timeout_then_success(server: HTTPServer) -> None:
    no_robots(server)

    def slow(request: Request) -> Response:
        time.sleep(0.5)
        return Response("late")

    server.expect_request("/sometimes").respond_with_handler(sequence(slow, Response("quick")))
    result = client_for(server, timeout=(1, 0.2)).get(server.url_for("/sometimes"))
    assert result.body == b"quick" and result.attempts == 2


def test_redirect_to_unconfigured_host_is_refused(server: HTTPServer) -> None:
    no_robots(server)
    server.expect_request("/moved").respond_with_data(
        "", status=302, headers={"Location": "http://evil.example.net/phish"})
    with pytest.raises(FetchRefused, match="evil.example.net") as err:
        client_for(server).get(server.url_for("/moved"))
    assert "not among the configured hosts" in str(err.value)


def test_redirect_within_configured_host_is_followed(server: HTTPServer) -> None:
    no_robots(server)
    server.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    server.expect_request("/new").respond_with_data("here")
    result = client_for(server).get(server.url_for("/old"))
    assert result.body == b"here"
    assert result.final_url.endswith("/new") and result.url.endswith("/old")
    assert len(result.redirects) == 1


def test_redirect_to_localhost_name_is_refused(server: HTTPServer) -> None:
    """Same machine, other host name: the allow-list is by name, not by address."""
    no_robots(server)
    port = server.port
    server.expect_request("/hop").respond_with_data(
        "", status=307, headers={"Location": f"http://localhost:{port}/x"})
    with pytest.raises(FetchRefused, match="localhost"):
        client_for(server).get(server.url_for("/hop"))


def test_oversized_response_refused_by_content_length(server: HTTPServer) -> None:
    no_robots(server)
    server.expect_request("/big").respond_with_data(b"x" * 5000)
    with pytest.raises(FetchRefused, match="exceeds") as err:
        client_for(server, max_bytes=1000).get(server.url_for("/big"))
    assert "/big" in str(err.value)


def test_oversized_streamed_response_refused(server: HTTPServer) -> None:
    """No Content-Length (chunked): the cap is enforced while reading."""
    no_robots(server)

    def chunked(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            for _ in range(50):
                yield b"y" * 1000
        return Response(body(), direct_passthrough=True)

    server.expect_request("/stream").respond_with_handler(chunked)
    with pytest.raises(FetchRefused, match="cap"):
        client_for(server, max_bytes=10_000).get(server.url_for("/stream"))


def test_private_address_refused_unless_allowed(server: HTTPServer) -> None:
    no_robots(server)
    server.expect_request("/job").respond_with_data("ok")
    strict = PoliteClient(UA, {"127.0.0.1"}, rate_per_host=1000.0, backoff=0.01)
    with pytest.raises(FetchRefused, match="private/loopback"):
        strict.get(server.url_for("/job"))
    assert not any(req.path == "/job" for req, _ in server.log)
    assert client_for(server).get(server.url_for("/job")).body == b"ok"


def test_unconfigured_host_and_scheme_refused() -> None:
    client = PoliteClient(UA, {"jobs.example.org"}, allow_private=True)
    with pytest.raises(FetchRefused, match="configured hosts"):
        client.get("http://other.example.org/")
    with pytest.raises(FetchRefused, match="scheme"):
        client.get("file:///etc/passwd")


def test_conditional_request_gets_304(server: HTTPServer) -> None:
    no_robots(server)

    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"abc"':
            return Response(status=304)
        return Response("page v1", headers={"ETag": '"abc"',
                                            "Last-Modified": "Wed, 26 Aug 2026 10:00:00 GMT"})

    server.expect_request("/listing").respond_with_handler(handler)
    client = client_for(server)
    first = client.get(server.url_for("/listing"))
    assert not first.not_modified
    entry = first.cache_entry
    assert entry == CacheEntry('"abc"', "Wed, 26 Aug 2026 10:00:00 GMT", first.sha256)
    second = client.get(server.url_for("/listing"), conditional=entry)
    assert second.not_modified and second.status == 304 and second.body == b""
    assert second.sha256 == first.sha256  # links the 304 to the bytes already landed
    sent = [req.headers.get("If-Modified-Since") for req, _ in server.log if req.path == "/listing"]
    assert sent == [None, "Wed, 26 Aug 2026 10:00:00 GMT"]


def test_rate_limit_spaces_requests_to_one_host(server: HTTPServer) -> None:
    no_robots(server)
    server.expect_request("/r").respond_with_data("ok")
    client = client_for(server, rate_per_host=10.0)  # 0.1 s apart
    started = time.monotonic()
    for _ in range(4):
        client.get(server.url_for("/r"))
    # robots.txt + 4 pages = 5 requests, 4 intervals of 0.1 s at least.
    assert time.monotonic() - started >= 0.39


def test_crawl_delay_in_robots_slows_the_client(server: HTTPServer) -> None:
    server.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nCrawl-delay: 0.3\nAllow: /\n")
    server.expect_request("/c").respond_with_data("ok")
    client = client_for(server)
    client.get(server.url_for("/c"))
    started = time.monotonic()
    client.get(server.url_for("/c"))
    assert time.monotonic() - started >= 0.25


def test_empty_user_agent_rejected() -> None:
    with pytest.raises(ValueError, match="operator"):
        PoliteClient("  ", {"example.org"})
