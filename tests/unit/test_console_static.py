"""Which console files are cached for good, and which encodings a client accepts."""

from __future__ import annotations

import pytest

from gateway.core.static import accepted_encodings, is_hashed, wanted


@pytest.mark.parametrize(
    ("path", "hashed"),
    [
        ("assets/index-BdR3s_Xk.js", True),
        ("assets/StatsPage-a1B2-c3D.js", True),
        ("assets/index-BdR3s_Xk.css", True),
        ("assets/fonts/inter-AbCdEfGh.woff2", True),
        ("index.html", False),
        ("favicon.svg", False),
        ("assets/logo.svg", False),  # no hash: may change under the same name
        ("assets/index-short.js", False),
        ("other/index-BdR3s_Xk.js", False),
    ],
)
def test_hashed_files_are_vites_assets_with_a_content_hash(path: str, hashed: bool) -> None:
    assert is_hashed(path) is hashed


def test_accept_encoding_with_qualities_and_wildcards() -> None:
    accepted = accepted_encodings("gzip, deflate, br;q=0.5, zstd")
    assert wanted(accepted, "br")
    assert wanted(accepted, "gzip")
    refused = accepted_encodings("br;q=0, gzip;q=0.8")
    assert not wanted(refused, "br")
    assert wanted(refused, "gzip")
    assert wanted(accepted_encodings("*"), "br")
    assert not wanted(accepted_encodings("*;q=0, identity"), "gzip")
    assert not wanted(accepted_encodings(""), "gzip")
    assert not wanted(accepted_encodings("GZIP;q=bad"), "gzip")
    assert wanted(accepted_encodings(" GZip ; Q=1 "), "gzip")
