"""Structural codes: type, range, length, count, pattern, required fields, models.

Every one of these is a constraint of the endpoint's generated JSON Schema and is reported
by it (`kling_lint.check.schema`); the table holds their metadata and documentation.
"""

from __future__ import annotations

from kling_lint.check.rules._base import Rule, RuleDoc
from kling_lint.diagnostics import Severity

RULES = (
    Rule(
        "KL200",
        "schema-violation",
        Severity.ERROR,
        RuleDoc(
            "Reports a payload the endpoint's generated schema rejects for a reason no more "
            "specific code names.",
            "The schema is the contract the register states; whatever it rejects is blocked, "
            "so that a new kind of constraint can never pass unnoticed.",
            "Any payload the schema rejects in a way the codes KL101-KL208 do not describe.",
            "Read the message (it quotes the schema) and fix the value it points at.",
        ),
        always_on=True,
    ),
    Rule(
        "KL201",
        "wrong-type",
        Severity.ERROR,
        RuleDoc(
            "Flags a value of the wrong JSON type, such as duration 5 where the contract "
            'wants the string "5", or multi_shot "true" where it wants a boolean.',
            "The API rejects type mismatches (code 1201) after the request is sent.",
            '{"multi_shot": "true", "duration": 5}',
            '{"multi_shot": true, "duration": "5"}',
        ),
    ),
    Rule(
        "KL202",
        "out-of-range",
        Severity.ERROR,
        RuleDoc(
            "Flags a number (or a numeric string such as a shot duration) outside its range.",
            "Out-of-range values are rejected or rounded by the service.",
            '{"text": "hi", "voice_id": "oversea_male1", "voice_language": "en", "voice_speed": 3}',
            '{"text": "hi", "voice_id": "oversea_male1", "voice_language": "en", '
            '"voice_speed": 2.0}',
            endpoint="tts.create",
        ),
    ),
    Rule(
        "KL203",
        "bad-length",
        Severity.ERROR,
        RuleDoc(
            "Flags a string longer (or shorter) than the contract allows, such as a prompt "
            "over 2500 characters or an empty image_url.",
            "The service rejects such text, or cuts it where you did not choose.",
            '{"element_name": "a name far longer than twenty characters"}',
            '{"element_name": "short name"}',
            endpoint="elements.create",
        ),
    ),
    Rule(
        "KL204",
        "bad-count",
        Severity.ERROR,
        RuleDoc(
            "Flags a list with too many or too few items, such as more than one reference "
            "video or more than six shots.",
            "The contract caps these lists; a longer one is rejected.",
            '{"video_list": [{"video_url": "https://e.com/a.mp4"}, '
            '{"video_url": "https://e.com/b.mp4"}]}',
            '{"video_list": [{"video_url": "https://e.com/a.mp4"}]}',
        ),
    ),
    Rule(
        "KL205",
        "missing-required",
        Severity.ERROR,
        RuleDoc(
            "Flags a field the contract always requires that is missing, such as "
            "image_list[].image_url or the text of a TTS request.",
            "The request is rejected without it.",
            '{"image_list": [{"type": "first_frame"}]}',
            '{"image_list": [{"image_url": "https://example.com/a.png", "type": "first_frame"}]}',
        ),
    ),
    Rule(
        "KL206",
        "bad-format",
        Severity.ERROR,
        RuleDoc(
            "Flags text that does not match the form the contract gives, such as a shot "
            "duration that is not a whole number.",
            "The service parses these strings; a value it cannot parse fails the request.",
            '{"multi_prompt": [{"index": 1, "prompt": "a", "duration": "2.5s"}]}',
            '{"multi_prompt": [{"index": 1, "prompt": "a", "duration": "2"}]}',
        ),
    ),
    Rule(
        "KL207",
        "field-not-for-model",
        Severity.ERROR,
        RuleDoc(
            "Flags a field the chosen model_name does not support (an absent model_name means "
            "the endpoint's default model), such as sound before V2.6 or cfg_scale on v2 and "
            "later.",
            "The service rejects the field for that model, or ignores it while billing.",
            '{"model_name": "kling-v1", "prompt": "a cat", "sound": "on"}',
            '{"model_name": "kling-v2-6", "prompt": "a cat", "sound": "on"}',
            endpoint="text2video.create",
        ),
    ),
    Rule(
        "KL208",
        "value-not-for-model",
        Severity.ERROR,
        RuleDoc(
            'Flags a value the chosen model_name does not support, such as duration "15" '
            "with kling-video-o1.",
            "Capability differs per model; the request fails or is cut short.",
            '{"model_name": "kling-video-o1", "prompt": "a cat", "duration": "15"}',
            '{"model_name": "kling-v3-omni", "prompt": "a cat", "duration": "15"}',
        ),
    ),
    Rule(
        "KL211",
        "content-member-missing",
        Severity.ERROR,
        RuleDoc(
            "Flags an item of a typed list (the new design's contents[]) without a member its "
            "type needs, such as a prompt item without text or an element item without "
            "element_id or id.",
            "The item's type decides its members; without the one it needs, the request is "
            "refused or the item means nothing.",
            '{"contents": [{"type": "prompt", "text": "a cat"}, {"type": "element", "id": "cat"}]}',
            '{"contents": [{"type": "prompt", "text": "@cat runs"}, '
            '{"type": "element", "element_id": "162", "id": "cat"}]}',
            endpoint="image-to-video-3-0.create",
        ),
    ),
    Rule(
        "KL212",
        "content-member-not-for-type",
        Severity.ERROR,
        RuleDoc(
            "Flags a member an item's type does not take, such as a url on a prompt item or a "
            "text on a first_frame item.",
            "The member belongs to another type; the service ignores it or refuses the item, "
            "and what was meant (a second item) is lost.",
            '{"contents": [{"type": "prompt", "text": "a cat", "url": "https://e.com/a.png"}]}',
            '{"contents": [{"type": "prompt", "text": "a cat"}, '
            '{"type": "first_frame", "url": "https://e.com/a.png"}]}',
            endpoint="image-to-video-3-0.create",
        ),
    ),
)
