"""The console's built files with the right caching and compression.

Vite names what it puts under assets/ after its content (`assets/index-BdR3s_Xk.js`): such a file never
changes, so browsers keep it a year without asking again. Everything else (index.html above all, which
names the current assets) is `no-cache`: used only after revalidation, which the ETag makes a 304. The
build writes `<file>.br` and `<file>.gz` next to each text file (frontend/scripts/precompress.mjs); a
client that accepts one gets those bytes as they are, never compressed per request."""

from __future__ import annotations

import os
import re
from mimetypes import guess_type

from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Content-Encoding -> the suffix of the precompressed file, best first.
ENCODINGS: tuple[tuple[str, str], ...] = (("br", ".br"), ("gzip", ".gz"))
# Vite's `[name]-[hash].[ext]`: a hash of 8 base64url characters.
_HASHED = re.compile(r"^assets/(?:.+/)?[^/]+-[A-Za-z0-9_-]{8}\.[A-Za-z0-9]+$")
_Variant = tuple[str, str, os.stat_result]  # (encoding, path, stat)


def is_hashed(relative_path: str) -> bool:
    return _HASHED.match(relative_path.replace(os.sep, "/")) is not None


def accepted_encodings(header: str) -> dict[str, float]:
    """Accept-Encoding as {coding: q}; a `*` stands for every coding not named."""
    accepted: dict[str, float] = {}
    for item in header.split(","):
        coding, _, params = item.strip().partition(";")
        coding = coding.strip().lower()
        if not coding:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        accepted[coding] = quality
    return accepted


def wanted(accepted: dict[str, float], encoding: str) -> bool:
    return accepted.get(encoding, accepted.get("*", 0.0)) > 0


class CompressedStaticFiles(StaticFiles):
    """StaticFiles with Cache-Control by kind of file and precompressed variants for clients that
    accept them (`Vary: Accept-Encoding`; each variant with its own length and ETag)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # full path -> (its mtime, its variants): the variants of a file are looked up once.
        self._variants: dict[str, tuple[float, list[_Variant]]] = {}
        self._root = os.path.realpath(str(self.directory)) if self.directory is not None else ""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        path = os.fspath(full_path)
        request_headers = Headers(scope=scope)
        relative = os.path.relpath(path, self._root) if self._root else path
        headers = {"Cache-Control": IMMUTABLE if is_hashed(relative) else REVALIDATE}
        variants = self._variants_of(path, stat_result)
        served_path, served_stat = path, stat_result
        if variants:
            headers["Vary"] = "Accept-Encoding"
            accepted = accepted_encodings(request_headers.get("accept-encoding", ""))
            for encoding, variant_path, variant_stat in variants:
                if wanted(accepted, encoding):
                    headers["Content-Encoding"] = encoding
                    served_path, served_stat = variant_path, variant_stat
                    break
        response = FileResponse(
            served_path,
            status_code=status_code,
            headers=headers,
            media_type=guess_type(path)[0] or "application/octet-stream",
            stat_result=served_stat,
        )
        if self.is_not_modified(response.headers, request_headers):
            return NotModifiedResponse(response.headers)
        return response

    def _variants_of(self, path: str, stat_result: os.stat_result) -> list[_Variant]:
        known = self._variants.get(path)
        if known is not None and known[0] == stat_result.st_mtime:
            return known[1]
        found: list[_Variant] = []
        for encoding, suffix in ENCODINGS:
            try:
                variant = os.stat(path + suffix)
            except OSError:
                continue
            # A variant older than its file was made from an earlier version of it.
            if variant.st_mtime >= stat_result.st_mtime and variant.st_size > 0:
                found.append((encoding, path + suffix, variant))
        self._variants[path] = (stat_result.st_mtime, found)
        return found
