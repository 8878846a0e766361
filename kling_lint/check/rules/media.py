"""Media values: what an inline image holds, and ids that lose digits as JSON numbers.

How a media value is written (an http(s) URL or raw Base64, and which forms live runs
rejected) is a pattern in the generated schema. What the schema cannot say is what the
Base64 decodes to: this rule reads the image header for format, pixel size and aspect.
Only the start of a Base64 image is decoded (enough for the PNG or JPEG header), so a
10 MB payload costs no more than a small one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import cache
from typing import NamedTuple

from kling_lint.check.memo import kept_on
from kling_lint.check.rules._base import Context, Finding, rule, value_text
from kling_lint.check.values import values_at
from kling_lint.diagnostics import Severity
from kling_lint.register.forms import FORM_PATTERNS
from kling_lint.register.model import Endpoint, Field, top_key

Parts = tuple[str | int, ...]
HEADER_CHARS = 96 * 1024  # Base64 characters decoded to find a JPEG frame header
SAFE_INTEGER = 2**53 - 1
_PNG = b"\x89PNG\r\n\x1a\n"
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def image_header(data: bytes) -> tuple[str | None, int | None, int | None]:
    """(format, width, height) from the first bytes of an image; None where unknown."""
    import struct

    if data.startswith(_PNG) and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return "png", width, height
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in _SOF:
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return "jpg", width, height
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
                i += 1 if marker == 0xFF else 2
                continue
            (length,) = struct.unpack(">H", data[i + 2 : i + 4])
            i += 2 + length
        return "jpg", None, None
    for magic, name in ((b"GIF8", "gif"), (b"RIFF", "webp"), (b"BM", "bmp"), (b"II*\x00", "tiff")):
        if data.startswith(magic):
            return name, None, None
    return None, None, None


def _decoded_size(text: str) -> int:
    return len(text) * 3 // 4 - text[-2:].count("=")


def _inline_image(field: Field, value: str, parts: Parts) -> Iterator[Finding]:
    import base64  # only payloads with inline images pay for these imports
    import binascii

    media = field.media or {}
    head = value[:HEADER_CHARS]
    head = head[: len(head) - len(head) % 4]
    try:
        data = base64.b64decode(head, validate=True)
    except (binascii.Error, ValueError):
        yield Finding(parts, f"{field.path} is not valid Base64", field.path)
        return
    kind, width, height = image_header(data)
    formats = media.get("formats", [])
    allowed = {"jpg" if f == "jpeg" else f for f in formats}
    if kind is None or (allowed and kind not in allowed):
        shown = kind or "not an image format kling-lint recognises"
        yield Finding(
            parts, f"{field.path}: inline image is {shown}; allowed {'/'.join(formats)}", field.path
        )
        return
    limit = media.get("max_bytes")
    size = _decoded_size(value)
    if limit and size > limit:
        yield Finding(
            parts, f"{field.path}: inline image is {size:,} bytes; at most {limit:,}", field.path
        )
    if width is None or height is None:
        return
    side = media.get("min_side")
    if side and min(width, height) < side:
        yield Finding(
            parts,
            f"{field.path}: image is {width}x{height} px; each side needs {side}+",
            field.path,
        )
    low, high = media.get("aspect_min"), media.get("aspect_max")
    ratio = width / height if height else 0
    if low and high and not low <= ratio <= high:
        yield Finding(
            parts, f"{field.path}: aspect {width}:{height} is outside 1:2.5 to 2.5:1", field.path
        )


@cache
def _base64() -> re.Pattern[str]:
    return re.compile(FORM_PATTERNS["base64"])


# File name endings that say what a URL serves. One outside a field's formats is a finding;
# a URL without one (a CDN path, a signed query) says nothing and is not judged.
_MEDIA_SUFFIXES = frozenset(
    [
        "jpg",
        "jpeg",
        "png",
        "gif",
        "webp",
        "bmp",
        "tif",
        "tiff",
        "heic",
        "heif",
        "avif",
        "svg",
        "ico",
        "mp4",
        "mov",
        "avi",
        "mkv",
        "webm",
        "flv",
        "wmv",
        "m4v",
        "mpg",
        "mpeg",
        "3gp",
        "mp3",
        "wav",
        "m4a",
        "aac",
        "ogg",
        "flac",
        "opus",
    ]
)


# A URL's last path segment's ending, before any query or fragment.
_SUFFIX = re.compile(r"[^?#]*\.([^./?#]+)(?:[?#]|$)")


def _url_suffix(url: str) -> str | None:
    """The file name ending of a URL's path, lower case, when it names a media format."""
    found = _SUFFIX.match(url)
    if found is None:
        return None
    suffix = found.group(1).lower()
    return suffix if suffix in _MEDIA_SUFFIXES else None


def _same_format(suffix: str) -> str:
    return "jpg" if suffix == "jpeg" else suffix


class _Media(NamedTuple):
    head: str  # the top-level key it sits under: a payload without it costs nothing
    field: Field
    image: bool
    allowed: frozenset[str]  # the file name endings its formats allow


@kept_on()
def _fields(endpoint: Endpoint) -> tuple[tuple[_Media, ...], tuple[tuple[str, Field], ...]]:
    """(inline-image fields, id fields that take a number or a string) of an endpoint, each
    with the top-level key it sits under."""

    def head(field: Field) -> str:
        return top_key(field.path)

    fields = list(endpoint.fields.values())
    media = tuple(
        _Media(head(f), f, f.media.get("kind") == "image", frozenset(map(_same_format, formats)))
        for f in fields
        if f.media and (formats := f.media.get("formats")) and not f.blocked
    )
    ids = tuple((head(f), f) for f in fields if "integer" in f.type and "string" in f.type)
    return media, ids


def _image_keys(endpoint: Endpoint) -> frozenset[str]:
    return frozenset(media.head for media in _fields(endpoint)[0])


def _id_keys(endpoint: Endpoint) -> frozenset[str]:
    return frozenset(head for head, _ in _fields(endpoint)[1])


@rule("KL414", "media-value", Severity.ERROR, keys=_image_keys)
def media_value(ctx: Context) -> Iterator[Finding]:
    """Checks how a media field is written: an http(s) URL or raw Base64 (no data: prefix); for
    inline images, decodes the header to check format, byte size, pixel size and aspect;
    for a URL whose file name ends in a media format (.gif, .avi), checks it against the
    field's formats.

    ## Why is this bad?
    The service fetches URLs and decodes Base64 itself; a data: prefix, another URL scheme,
    or an image outside the documented limits fails the task after it is queued.

    ## Why not in the schema
    The form of the value (an http(s) URL or raw Base64, and the forms live runs rejected)
    is a pattern in the generated schema; decoding the Base64 header is the part that runs
    as code, because a schema cannot decode (and the URL's file name is read with it, to say
    which format it names).

    ## Example
    ```
    {"image_list": [{"image_url": "data:image/png;base64,iVBORw0KGgo..."}]}
    ```

    ## Use instead
    {"image_list": [{"image_url": "iVBORw0KGgo..."}]}
    """
    payload = ctx.payload
    for head, field, image, allowed in _fields(ctx.endpoint)[0]:
        if head not in payload:
            continue
        for parts, value in values_at(payload, field.path):
            if not isinstance(value, str):
                continue
            # Raw Base64 images are decoded; a URL is judged by the file it names; every
            # other form is the schema's to judge.
            if value[:8].lower().startswith(("http://", "https://")):
                suffix = _url_suffix(value)
                if suffix is not None and _same_format(suffix) not in allowed:
                    formats = "/".join(field.media["formats"])  # type: ignore[index]
                    message = f"{field.path}: the URL names a .{suffix} file; allowed {formats}"
                    yield Finding(parts, message, field.path)
            elif image and _base64().match(value[:64]):
                yield from _inline_image(field, value, parts)


@rule("KL415", "id-above-2-53", Severity.WARNING, keys=_id_keys)
def id_above_2_53(ctx: Context) -> Iterator[Finding]:
    """Warns about an id (such as element_id) above 2^53 written as a JSON number.

    ## Why is this bad?
    Element and voice ids are 15 to 18 digits; JavaScript clients parse JSON numbers as
    doubles and silently change the last digits, so the request names another element.

    ## Why not in the schema
    A rule, not a schema constraint: JSON Schema sees numbers as values, not as the digits a
    parser will keep.

    ## Example
    ```
    {"element_list": [{"element_id": 829836802793406551}]}
    ```

    ## Use instead
    {"element_list": [{"element_id": "829836802793406551"}]}
    """
    for head, field in _fields(ctx.endpoint)[1]:
        if head not in ctx.payload:
            continue
        for parts, value in values_at(ctx.payload, field.path):
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > SAFE_INTEGER:
                # value_text() copes with integers too long for str(); ids are never that long.
                shown = value_text(value)
                fix = f' ("{value}")' if value.bit_length() < 200 else ""
                yield Finding(
                    parts,
                    f"{field.path} {shown} is above 2^53 as a JSON number: JavaScript clients "
                    f"change its last digits; send it as a string{fix}",
                    field.path,
                )
            elif isinstance(value, float) and math.isfinite(value) and abs(value) > SAFE_INTEGER:
                # Written with a fraction or an exponent (9007199254740993.0, 1e16): every
                # reader, Python's too, keeps only the nearest double, so its digits are lost.
                yield Finding(
                    parts,
                    f"{field.path} {value!r} is above 2^53 as a JSON number with a fraction or "
                    "an exponent: every reader keeps only the nearest double, so the id sent is "
                    "not the one written; send the id's digits as a string",
                    field.path,
                )


RULES = (
    media_value,
    id_above_2_53,
)
