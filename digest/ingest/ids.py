"""Canonical paper ids, so one paper seen by several sources becomes one row.

The key is the arXiv id without version where there is one (a replacement `v2` is the same
paper), else `doi:<lowercased doi>`, else `url:<normalised url>`. Everything here is pure and
total: bad input gives None (or ValueError from `canonical_id`), never a half-parsed id.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

# New-style ids: YYMM.NNNN (April 2007 to December 2014) or YYMM.NNNNN (from January 2015).
_NEW_STYLE = r"(?P<yymm>\d{4})\.(?P<number>\d{4,5})"
# Old-style ids: archive[.SUBJECT-CLASS]/YYMMNNN, e.g. hep-ex/0307015, math.GT/0309136.
_OLD_STYLE = r"(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.[A-Za-z]{2})?/(?P<old>\d{7})"
_ID = rf"(?:{_NEW_STYLE}|{_OLD_STYLE})(?:v(?P<version>\d{{1,3}}))?"
_ARXIV_FORMS = re.compile(
    r"(?:"
    r"arxiv:\s*"
    r"|oai:arxiv\.org:"
    r"|(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/"
    r"|(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*)?10\.48550/arxiv\."
    r")?"
    rf"{_ID}"
    r"(?:\.pdf)?/?(?:[?#].*)?",
    re.IGNORECASE,
)

_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_PREFIXES = re.compile(r"^(?:doi:\s*|(?:https?://)?(?:dx\.)?doi\.org/)", re.IGNORECASE)

# Query parameters that only say where a click came from; dropping them lets links shared through
# newsletters and social sites land on one canonical URL.
_TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid"}
    | {"_hsenc", "_hsmi", "mkt_tok", "ref_src", "ref_url", "spm", "si"}
)
_MAX_URL_LENGTH = 2048


def arxiv_id_and_version(text: str) -> tuple[str, int | None] | None:
    """Return (id without version, version or None) for any common spelling of an arXiv id.

    Old-style ids drop their subject class (`math.GT/0309136` -> `math/0309136`): arXiv's own
    canonical form has none, and abs/math.GT/0309136 redirects to abs/math/0309136.
    """
    if not isinstance(text, str):
        return None
    match = _ARXIV_FORMS.fullmatch(text.strip())
    if match is None:
        return None
    version = int(match["version"]) if match["version"] else None
    if version == 0:
        return None
    if match["yymm"]:
        yymm, number = match["yymm"], match["number"]
        if not _valid_month(yymm) or int(yymm) < 704:
            return None
        # Four-digit numbers belong to 2007-2014, five-digit ones to 2015 onwards.
        if (len(number) == 5) != (int(yymm) >= 1501):
            return None
        return f"{yymm}.{number}", version
    archive, old = match["archive"].lower(), match["old"]
    if not _valid_month(old[:4]):
        return None
    return f"{archive}/{old}", version


def _valid_month(yymm: str) -> bool:
    return 1 <= int(yymm[2:4]) <= 12


def normalise_doi(text: str) -> str | None:
    """Return the bare, lowercased DOI (`10.xxxx/...`) from a DOI, `doi:` form or doi.org URL.

    DOIs are case-insensitive by definition, so lowercasing is safe and makes them comparable.
    """
    if not isinstance(text, str):
        return None
    value = _DOI_PREFIXES.sub("", text.strip())
    value = unquote(value).strip().rstrip(".,;")
    if _DOI.fullmatch(value) is None or len(value) > 300:
        return None
    return value.lower()


def normalise_url(url: str) -> str | None:
    """Return one spelling per web page, or None for anything that is not a plain http(s) URL.

    Rules: only http/https (so `javascript:` and `data:` links are refused); scheme and host
    lowercased; user:password@ dropped (it only serves to disguise the real host); default ports
    dropped; fragment dropped; utm_* and click-id parameters dropped; trailing slash dropped.
    http becomes https unless the URL names a port or the host is an IP address or localhost
    (those rarely have certificates): nearly every public site serves the same page on both,
    and links in mail should be https.
    """
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or len(url) > _MAX_URL_LENGTH or any(c.isspace() or ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in ("http", "https") or not host:
        return None
    if port == {"http": 80, "https": 443}[scheme]:
        port = None
    if scheme == "http" and port is None and not _is_local_or_ip(host):
        scheme = "https"
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    query = urlencode(
        [
            (key, value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
            if not key.lower().startswith("utm_") and key.lower() not in _TRACKING_PARAMS
        ]
    )
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), query, ""))


def _is_local_or_ip(host: str) -> bool:
    return host == "localhost" or ":" in host or re.fullmatch(r"[\d.]+", host) is not None


def canonical_id(
    *, arxiv: str | None = None, doi: str | None = None, url: str | None = None
) -> str:
    """Return the strongest id the arguments support: arXiv id, else `doi:...`, else `url:...`.

    Every argument is tried for an arXiv id (a DOI 10.48550/arXiv.X or an arxiv.org link names
    one), then doi and url for a DOI (a doi.org link), then url for a web page. Passing a
    canonical id back in (`doi:...` as doi, `url:...` as url) returns it unchanged. Raises
    ValueError when nothing usable was given: a record without an id must not be stored.
    """
    for candidate in (arxiv, doi, url):
        found = arxiv_id_and_version(candidate) if candidate else None
        if found:
            return found[0]
    for candidate in (doi, url):
        found_doi = normalise_doi(candidate) if candidate else None
        if found_doi:
            return f"doi:{found_doi}"
    if url:
        found_url = normalise_url(url.removeprefix("url:"))
        if found_url:
            return f"url:{found_url}"
    raise ValueError(f"no usable arXiv id, DOI or URL in {(arxiv, doi, url)!r}")
