"""File links: what one opens is exactly what was signed, for as long as it was signed for."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from gateway.domain.file_links import FileLinks, InvalidFileLinkError
from t1lib.auth import Principal, Role, issue_access_token

SECRET = "a test secret of the install, long enough"


def token(path: str) -> str:
    assert path.startswith("/api/v1/files/")
    return path.removeprefix("/api/v1/files/")


def test_a_link_opens_what_it_was_issued_for() -> None:
    links = FileLinks(SECRET, 900)
    now = time.time()
    issued = ("operator/t/a/отчёт.pdf", "application/pdf", "отчёт.pdf")
    ref = links.read(token(links.issue(*issued, now=now)))
    assert (ref.s3_key, ref.mime_type, ref.file_name) == issued
    assert now + 900 <= ref.expires_at < now + 900 + 60


def test_links_issued_within_a_minute_are_the_same_url() -> None:
    links = FileLinks(SECRET, 900)
    start = 1_800_000_000  # on a minute boundary

    def at(moment: int) -> str:
        return links.issue("k", "image/png", "a.png", now=moment)

    assert at(start + 1) == at(start + 59)
    assert at(start + 1) != at(start + 61)


@pytest.mark.parametrize(
    "link",
    [
        FileLinks(SECRET, 60).issue("k", "text/plain", "a.txt", now=time.time() - 3600),
        FileLinks("another install's secret", 900).issue("k", "text/plain", "a.txt"),
        issue_access_token(SECRET, Principal("op", Role.ADMIN, "admin"), timedelta(minutes=5)),
        "",
        "a.b.c",
    ],
    ids=["expired", "another secret", "an access token", "empty", "garbage"],
)
def test_refused_links(link: str) -> None:
    with pytest.raises(InvalidFileLinkError):
        FileLinks(SECRET, 900).read(link.removeprefix("/api/v1/files/"))
