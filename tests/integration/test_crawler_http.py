"""Crawling two job boards served by a real HTTP server on 127.0.0.1.

Board A embeds schema.org JobPosting JSON-LD and paginates with a ``rel=next``
link; board B is plain HTML read with CSS selectors and paginates with
``?page=N``. Both answer conditional requests (ETag) like real servers do.
Everything the crawler fetched is parsed from what it landed, never re-fetched.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from etl.normalise.dedup import assign_clusters
from etl.normalise.vacancy import normalise_vacancy
from etl.sources.http_client import PoliteClient
from etl.sources.jobboard.crawler import BoardConfig, Bookmark, crawl_board
from etl.sources.jobboard.parse import parse_job_page

UA = "ReintegrationLMIS-test/0.1 (+https://observatoire.example; data@observatoire.example)"
FETCHED = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
SELECTORS_B = {
    "title": ".job-title",
    "employer_name": ".company",
    "location": ".location",
    "date_posted": ".date",
    "salary": ".salary",
    "description": ".description",
    "employment_type": ".contract",
}
SHARED_DESCRIPTION = (
    "Tenue de la comptabilité générale, rapprochements bancaires, préparation des "
    "déclarations fiscales et sociales, participation à la clôture annuelle des comptes."
)


@dataclass
class Ad:
    ident: str
    title: str
    employer: str
    town: str
    posted: str
    description: str


@dataclass
class Site:
    """Two boards' pages, generated from ads, with ETag / 304 support."""

    a_ads: list[Ad]
    b_ads: list[Ad]
    per_page: int = 3
    b_private: bool = False
    requests: list[tuple[str, str | None]] = field(default_factory=list)

    # ---------------------------------------------------------------- pages
    def a_listing(self, page: int) -> str | None:
        chunk = self.a_ads[(page - 1) * self.per_page : page * self.per_page]
        if not chunk:
            return None
        links = "".join(
            f'<li><a class="offre" href="/board-a/offres/{ad.ident}.html">{html.escape(ad.title)}</a></li>'
            for ad in chunk
        )
        more = page * self.per_page < len(self.a_ads)
        nxt = f'<a rel="next" href="page-{page + 1}.html">Suivante</a>' if more else ""
        return f"<html><body><ul>{links}</ul><nav>{nxt}</nav></body></html>"

    def a_detail(self, ad: Ad) -> str:
        posting = {
            "@context": "https://schema.org", "@type": "JobPosting", "title": ad.title,
            "hiringOrganization": {"@type": "Organization", "name": ad.employer},
            "datePosted": ad.posted, "description": f"<p>{ad.description}</p>",
            "identifier": {"@type": "PropertyValue", "value": ad.ident},
            "jobLocation": {"@type": "Place", "address": {
                "@type": "PostalAddress", "addressLocality": ad.town, "addressCountry": "SN"}},
            "employmentType": "FULL_TIME",
        }
        return (f'<html lang="fr"><head><script type="application/ld+json">{json.dumps(posting)}'
                f"</script></head><body><h1>{html.escape(ad.title)}</h1></body></html>")

    def b_listing(self, page: int) -> str | None:
        chunk = self.b_ads[(page - 1) * self.per_page : page * self.per_page]
        if not chunk:
            return None
        links = "".join(
            f'<div class="job"><a class="job-link" href="/board-b/jobs/{ad.ident}.html">'
            f"{html.escape(ad.title)}</a></div>" for ad in chunk
        )
        if self.b_private and page == 1:
            links += '<div class="job"><a class="job-link" href="/board-b/private/9.html">x</a></div>'
        return f"<html><body>{links}</body></html>"

    def b_detail(self, ad: Ad) -> str:
        return (
            '<html><head><meta charset="utf-8"></head><body><div class="offer">'
            f'<h1 class="job-title">{html.escape(ad.title)}</h1>'
            f'<p class="company">{html.escape(ad.employer)}</p>'
            f'<p class="location">{html.escape(ad.town)}, Sénégal</p>'
            f'<p class="date">Publiée le {ad.posted}</p><p class="contract">CDI</p>'
            f'<div class="description"><p>{html.escape(ad.description)}</p></div></div></body></html>'
        )

    # -------------------------------------------------------------- serving
    def handle(self, request: Request) -> Response:
        self.requests.append((request.full_path.rstrip("?"), request.headers.get("If-None-Match")))
        path = request.path
        body: str | None = None
        content_type = "text/html; charset=utf-8"
        encoding = "utf-8"
        if path == "/robots.txt":
            return Response("User-agent: *\nDisallow: /board-b/private/\n", content_type="text/plain")
        if m := re.fullmatch(r"/board-a/offres/page-(\d+)\.html", path):
            body = self.a_listing(int(m[1]))
        elif m := re.fullmatch(r"/board-a/offres/(\w+)\.html", path):
            body = next((self.a_detail(a) for a in self.a_ads if a.ident == m[1]), None)
        elif path == "/board-b/jobs":
            body = self.b_listing(int(request.args.get("page", "1")))
        elif m := re.fullmatch(r"/board-b/jobs/(\w+)\.html", path):
            ad = next((a for a in self.b_ads if a.ident == m[1]), None)
            if ad is not None and ad.ident.startswith("w"):  # an old page in Windows-1252
                body, encoding = self.b_detail(ad).replace('charset="utf-8"', ""), "cp1252"
                content_type = "text/html; charset=windows-1252"
            elif ad is not None:
                body = self.b_detail(ad)
        if body is None:
            return Response("not found", status=404)
        data = body.encode(encoding)
        etag = '"' + hashlib.sha1(data).hexdigest()[:12] + '"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(data, content_type=content_type, headers={"ETag": etag})


def make_ads() -> tuple[list[Ad], list[Ad]]:
    a = [
        Ad("a1", "Comptable H/F", "Sahel Logistique SARL", "Dakar", "2026-08-20", SHARED_DESCRIPTION),
        Ad("a2", "Chauffeur poids lourd", "Transports Ndiaye", "Thiès", "2026-08-21",
           "Conduite de camions sur l'axe Dakar-Bamako, entretien courant du véhicule."),
        Ad("a3", "Infirmier de nuit", "Clinique du Cap", "Dakar", "2026-08-22",
           "Soins aux patients hospitalisés, surveillance de nuit, tenue des dossiers."),
        Ad("a4", "Développeur web", "Teranga Digital", "Dakar", "2026-08-23",
           "Développement d'applications web en Python et JavaScript pour des clients bancaires."),
        Ad("a5", "Vendeur en boutique", "Marché Plus", "Saint-Louis", "2026-08-24",
           "Accueil des clients, mise en rayon, encaissement."),
    ]
    b = [
        # The same vacancy as a1, reposted on board B a day later with a cleaner title.
        Ad("b1", "Comptable", "Sahel Logistique", "Dakar", "2026-08-21", SHARED_DESCRIPTION),
        # Same employer and title but another town: another vacancy.
        Ad("b2", "Comptable", "Sahel Logistique", "Thiès", "2026-08-21", SHARED_DESCRIPTION),
        Ad("w3", "Électricien bâtiment", "Bâti Plus Sénégal", "Thiès", "2026-08-25",
           "Installation électrique des bâtiments, lecture de plans, mise en sécurité œuvre."),
        Ad("b4", "Agent de sécurité", "Garde Sûre", "Dakar", "2026-08-26",
           "Surveillance de site, rondes, contrôle des accès."),
    ]
    return a, b


@pytest.fixture(scope="module")
def shared_server() -> Iterator[HTTPServer]:
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def site(shared_server: HTTPServer) -> Iterator[tuple[Site, HTTPServer]]:
    a, b = make_ads()
    site = Site(a, b)
    shared_server.clear()
    shared_server.expect_request(re.compile(".*")).respond_with_handler(site.handle)
    yield site, shared_server
    shared_server.clear()


def client() -> PoliteClient:
    return PoliteClient(UA, {"127.0.0.1"}, allow_private=True, rate_per_host=1000.0,
                        backoff=0.01, max_retries=2, timeout=(2, 2))


def board_a(server: HTTPServer) -> BoardConfig:
    return BoardConfig(name="board_a", start_url=server.url_for("/board-a/offres/page-1.html"),
                       detail_link_selector="a.offre", pagination="next_link",
                       next_selector="a[rel=next]")


def board_b(server: HTTPServer) -> BoardConfig:
    return BoardConfig(name="board_b", start_url=server.url_for("/board-b/jobs"),
                       detail_link_selector="a.job-link", pagination="page_param",
                       page_param="page", selectors=SELECTORS_B)


class Lander:
    """What the lead's raw store does, in memory: keep every response as received."""

    def __init__(self) -> None:
        self.landed: list[tuple[dict, bytes]] = []

    def __call__(self, meta: dict, body: bytes) -> None:
        assert isinstance(body, bytes)
        self.landed.append((meta, body))

    def of_kind(self, kind: str) -> list[tuple[dict, bytes]]:
        return [(m, b) for m, b in self.landed if m["kind"] == kind]


def test_pagination_next_link_lands_every_page(site: tuple[Site, HTTPServer]) -> None:
    s, server = site
    land = Lander()
    outcome = crawl_board(client(), board_a(server), bookmark=None, land=land, max_pages=100)
    assert outcome.listing_pages == 2  # 5 ads, 3 per page
    assert outcome.detail_pages == 5 and len(outcome.new_urls) == 5
    assert outcome.pages_fetched == 7 == len(land.landed)
    assert outcome.stopped_because == "no next page"
    for meta, body in land.landed:
        assert meta["status"] == 200 and meta["sha256"] == hashlib.sha256(body).hexdigest()
        assert meta["source"] == "board_a" and meta["fetched_at"].tzinfo is not None
    # A listing page is landed before the details it links to.
    kinds = [m["kind"] for m, _ in land.landed]
    assert kinds[0] == "listing" and kinds.index("detail") == 1


def test_page_parameter_pagination_stops_at_404(site: tuple[Site, HTTPServer]) -> None:
    s, server = site
    land = Lander()
    outcome = crawl_board(client(), board_b(server), bookmark=None, land=land, max_pages=100)
    assert outcome.listing_pages == 3  # pages 1, 2 and the 404 that ends the listing
    assert outcome.detail_pages == 4
    assert "404" in (outcome.stopped_because or "")
    assert not outcome.failures


def test_second_crawl_is_conditional_and_finds_nothing_new(site: tuple[Site, HTTPServer]) -> None:
    s, server = site
    first = crawl_board(client(), board_a(server), bookmark=None, land=Lander(), max_pages=100)
    bookmark = Bookmark.from_json(json.loads(json.dumps(first.bookmark.to_json())))  # via ops JSON
    s.requests.clear()
    land = Lander()
    second = crawl_board(client(), board_a(server), bookmark=bookmark, land=land, max_pages=100)
    assert second.new_urls == [] and second.detail_pages == 0
    assert second.not_modified == 2 == second.listing_pages
    assert second.skipped_seen == 5
    # Both listing pages were asked conditionally; no detail page was asked at all.
    page_requests = [(p, inm) for p, inm in s.requests if "page-" in p]
    assert len(page_requests) == 2 and all(inm for _, inm in page_requests)
    assert not any(re.search(r"/a\d\.html", p) for p, _ in s.requests)
    # Still listed today: last_seen can be updated for all five without fetching them.
    assert len(second.listed_urls) == 5
    assert all(m["not_modified"] and b == b"" for m, b in land.landed)


def test_new_vacancy_is_the_only_detail_fetched(site: tuple[Site, HTTPServer]) -> None:
    s, server = site
    first = crawl_board(client(), board_a(server), bookmark=None, land=Lander(), max_pages=100)
    s.a_ads.insert(0, Ad("a9", "Magasinier", "Sahel Logistique SARL", "Dakar", "2026-08-30",
                         "Réception et stockage des marchandises."))
    s.requests.clear()
    second = crawl_board(client(), board_a(server), bookmark=first.bookmark, land=Lander(),
                         max_pages=100)
    assert [u.rsplit("/", 1)[1] for u in second.new_urls] == ["a9.html"]
    assert second.detail_pages == 1
    details = [p for p, _ in s.requests if re.search(r"/a\d\.html", p)]
    assert details == ["/board-a/offres/a9.html"]


def test_revisit_seen_sends_conditional_detail_requests(site: tuple[Site, HTTPServer]) -> None:
    s, server = site
    config = board_a(server)
    config.revisit_seen = True
    first = crawl_board(client(), config, bookmark=None, land=Lander(), max_pages=100)
    second = crawl_board(client(), config, bookmark=first.bookmark, land=Lander(), max_pages=100)
    assert second.not_modified == 7  # 2 listings + 5 details, all 304
    assert second.new_urls == [] and second.changed_urls == []


def test_max_pages_truncates_and_the_next_run_resumes(site: tuple[Site, HTTPServer]) -> None:
    s, server = site
    first = crawl_board(client(), board_a(server), bookmark=None, land=Lander(), max_pages=3)
    assert first.truncated and first.pages_fetched == 3 and len(first.new_urls) == 2
    second = crawl_board(client(), board_a(server), bookmark=first.bookmark, land=Lander(),
                         max_pages=100)
    assert len(second.new_urls) == 3
    assert set(first.new_urls) | set(second.new_urls) == set(first.bookmark.seen) | set(
        second.new_urls)
    assert len(second.bookmark.seen) == 5


def test_robots_disallowed_detail_is_recorded_not_fetched(site: tuple[Site, HTTPServer]) -> None:
    s, server = site
    s.b_private = True
    outcome = crawl_board(client(), board_b(server), bookmark=None, land=Lander(), max_pages=100)
    assert outcome.detail_pages == 4
    assert len(outcome.failures) == 1
    url, reason = outcome.failures[0]
    assert url.endswith("/board-b/private/9.html") and "robots.txt" in reason
    assert not any("/private/" in p for p, _ in s.requests)


def test_listing_server_error_stops_the_crawl_with_a_reason(shared_server: HTTPServer) -> None:
    shared_server.clear()
    shared_server.expect_request("/robots.txt").respond_with_data("", status=404)
    shared_server.expect_request("/down/page-1.html").respond_with_data("boom", status=500)
    config = BoardConfig(name="down", start_url=shared_server.url_for("/down/page-1.html"),
                         detail_link_selector="a")
    land = Lander()
    outcome = crawl_board(client(), config, bookmark=None, land=land, max_pages=10)
    assert outcome.pages_fetched == 0 and land.landed == []
    assert outcome.failures and "HTTP 500" in outcome.failures[0][1]
    assert "listing page failed" in (outcome.stopped_because or "")
    shared_server.clear()


def parsed_records(land: Lander, selectors: dict | None, source: str) -> list[dict]:
    records = []
    for meta, body in land.of_kind("detail"):
        result = parse_job_page(body, url=meta["final_url"], headers=meta["headers"],
                                selectors=selectors, fetched_at=FETCHED)
        assert result.vacancies, f"{meta['url']}: {result.reason}"
        for raw in result.vacancies:
            records.append(normalise_vacancy(raw, source=source, fetched_at=FETCHED,
                                             default_country="SN",
                                             region_aliases={"Dakar": "SN-DK", "Thiès": "SN-TH"}))
    return records


def test_windows_1252_detail_page_is_read_correctly(site: tuple[Site, HTTPServer]) -> None:
    s, server = site
    land = Lander()
    crawl_board(client(), board_b(server), bookmark=None, land=land, max_pages=100)
    meta, body = next((m, b) for m, b in land.of_kind("detail") if m["url"].endswith("w3.html"))
    assert "windows-1252" in meta["headers"]["content-type"]
    assert "Électricien".encode("cp1252") in body  # landed as served, not re-encoded
    record = parsed_records(_only(meta, body), SELECTORS_B,
                            "board_b")[0]
    assert record["title"] == "Électricien bâtiment"
    assert record["employer_name"] == "Bâti Plus Sénégal"
    assert "œuvre" in record["description_text"]


def _only(meta: dict, body: bytes) -> Lander:
    land = Lander()
    land.landed.append((meta, body))
    return land


def test_same_vacancy_on_two_boards_is_one_cluster(site: tuple[Site, HTTPServer]) -> None:
    s, server = site
    land_a, land_b = Lander(), Lander()
    crawl_board(client(), board_a(server), bookmark=None, land=land_a, max_pages=100)
    crawl_board(client(), board_b(server), bookmark=None, land=land_b, max_pages=100)
    records = parsed_records(land_a, None, "board_a") + parsed_records(land_b, SELECTORS_B,
                                                                       "board_b")
    frame = pd.DataFrame(records)
    assert len(frame) == 9
    clustered = assign_clusters(frame, window_days=30)
    by_url = clustered.set_index(clustered["url"].str.rsplit("/", n=1).str[1])
    assert by_url.loc["a1.html", "cluster_id"] == by_url.loc["b1.html", "cluster_id"]
    assert by_url.loc["b2.html", "cluster_id"] != by_url.loc["a1.html", "cluster_id"]
    assert clustered["cluster_id"].nunique() == 8
    assert int(clustered["is_duplicate"].sum()) == 1
    # The earlier posting (board A, 20 August) represents the cluster.
    assert not by_url.loc["a1.html", "is_duplicate"] and by_url.loc["b1.html", "is_duplicate"]


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "jobboards"


def test_fixture_pages_served_over_http_parse_without_crashing(
    shared_server: HTTPServer,
) -> None:
    """Malformed HTML, broken JSON-LD (comments, control characters, HTML-escaped,
    unrecoverable) and a Windows-1252 page, fetched, landed, then parsed."""
    pages = sorted(p.name for p in FIXTURES.glob("*.html"))
    shared_server.clear()
    shared_server.expect_request("/robots.txt").respond_with_data("", status=404)
    listing = "".join(f'<a class="p" href="/c/{name}">{name}</a>' for name in pages)
    shared_server.expect_request("/c/").respond_with_data(listing, content_type="text/html")
    for name in pages:
        # Served without a charset, as many boards do: the page's meta tag must be used.
        shared_server.expect_request(f"/c/{name}").respond_with_data(
            (FIXTURES / name).read_bytes(), content_type="text/html")
    land = Lander()
    config = BoardConfig(name="fixtures", start_url=shared_server.url_for("/c/"),
                         detail_link_selector="a.p", pagination="none")
    outcome = crawl_board(client(), config, bookmark=None, land=land, max_pages=50)
    assert outcome.detail_pages == len(pages)
    results = {}
    for meta, body in land.of_kind("detail"):
        results[meta["url"].rsplit("/", 1)[1]] = parse_job_page(
            body, url=meta["final_url"], headers=meta["headers"], fetched_at=FETCHED)
    assert results["broken_jsonld_unrecoverable.html"].vacancies == []
    assert "unreadable" in results["broken_jsonld_unrecoverable.html"].reason
    assert results["company_page_no_posting.html"].vacancies == []
    assert results["malformed_html_sn_fr.html"].vacancies[0]["title"] == "Electricien bâtiment H/F"
    graph = results["emploidakar_sn_fr_graph_broken_jsonld.html"]
    assert graph.vacancies[0]["employer_name"] == "Sahel Logistique SARL"
    assert results["linkedin_guest_en_jsonld_escaped.html"].vacancies[0]["employer_name"] == "Paystack"
    # No selectors here, so the plain-HTML Windows-1252 page yields nothing, with a reason.
    assert results["emploitunisie_tn_fr_cp1252.html"].encoding == "cp1252"
    shared_server.clear()


# ------------------------------------------------------------ PES JSON feeds
def _feed_server(server: HTTPServer, total: int, size: int) -> None:
    items = [{"id": f"V{i}", "intitule": f"Poste {i}", "employeur": "PES"} for i in range(total)]

    def handler(request: Request) -> Response:
        args = request.args
        if "page" in args:
            page = int(args["page"])
            chunk = items[(page - 1) * size : page * size]
            body = {"results": chunk, "total_pages": -(-total // size)}
        elif "offset" in args:
            start = int(args["offset"])
            body = {"data": {"items": items[start : start + size]}, "total": total}
        else:
            start = int(args.get("cursor", "0"))
            nxt = start + size if start + size < total else None
            body = {"items": items[start : start + size], "next_cursor": nxt}
        return Response(json.dumps(body), content_type="application/json")

    server.clear()
    server.expect_request("/robots.txt").respond_with_data("", status=404)
    server.expect_request("/api/vacancies").respond_with_handler(handler)


@pytest.mark.parametrize(("mode", "options"), [
    ("page", {"records_path": "results", "total_pages_path": "total_pages"}),
    ("offset", {"records_path": "data.items", "total_path": "total"}),
    ("cursor", {"records_path": "items", "cursor_path": "next_cursor"}),
])
def test_pes_feed_pagination_modes(shared_server: HTTPServer, mode: str, options: dict) -> None:
    from etl.sources.pes_feed import FeedConfig, read_feed

    _feed_server(shared_server, total=7, size=3)
    config = FeedConfig(name="pes", url=shared_server.url_for("/api/vacancies"),
                        fields={"source_id": "id", "title": "intitule",
                                "employer_name": "employeur"},
                        pagination=mode, **options)
    land = Lander()
    outcome = read_feed(client(), config, land=land)
    assert [r["source_id"] for r in outcome.raws] == [f"V{i}" for i in range(7)]
    assert outcome.pages_fetched == 3 == len(land.landed)
    assert all(m["kind"] == "feed_page" and m["status"] == 200 for m, _ in land.landed)
    assert outcome.failures == []
    shared_server.clear()


def test_pes_feed_not_json_is_a_named_failure(shared_server: HTTPServer) -> None:
    from etl.sources.pes_feed import FeedConfig, read_feed

    shared_server.clear()
    shared_server.expect_request("/robots.txt").respond_with_data("", status=404)
    shared_server.expect_request("/api/broken").respond_with_data("<html>maintenance</html>")
    config = FeedConfig(name="pes", url=shared_server.url_for("/api/broken"),
                        fields={"title": "t"})
    land = Lander()
    outcome = read_feed(client(), config, land=land)
    assert len(land.landed) == 1  # landed before the failure was found
    assert outcome.raws == [] and "not JSON" in outcome.failures[0][1]
    assert "/api/broken" in outcome.failures[0][0]
    shared_server.clear()
