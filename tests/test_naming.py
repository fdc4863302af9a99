"""Table tests for generator/naming.py: case conversion, sanitising and the Scope allocator.

The tables pin the rules written in naming.py's module docstring; the property test checks the
one promise every caller relies on: whatever the spec says, the result is a usable identifier.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import naming


def assert_identifier(name: str) -> None:
    assert name.isidentifier(), name
    assert name.isascii(), name
    assert not keyword.iskeyword(name), name


# --- case conversion --------------------------------------------------------------------------

SNAKE = [
    ("CreateUniversalUpscalerJob", "create_universal_upscaler_job"),
    ("createVariationNoBG", "create_variation_no_bg"),
    ("getVariationById", "get_variation_by_id"),
    ("sdUpscaleJob", "sd_upscale_job"),
    ("SDUpscaleJob", "sd_upscale_job"),
    ("VARIATION_TYPE", "variation_type"),
    ("job_status", "job_status"),
    ("2D ART & ILLUSTRATION", "art_and_illustration_2d"),
    ("CG ART & GAME ASSETS", "cg_art_and_game_assets"),
    ("404", "value_404"),
    ("", "value"),
    ("café crème", "cafe_creme"),
    ("__init__", "init"),
    ("pet name", "pet_name"),
    ("pet-name", "pet_name"),
    ("pet.name", "pet_name"),
    ("pets/{petId}", "pets_pet_id"),
    ("../etc/passwd", "etc_passwd"),
    ("🎨🖌️", "value"),
    ("___", "value"),
    ("HTTPServer", "http_server"),
    ("getV2Jobs", "get_v2_jobs"),
]

CONSTANT = [
    ("2D ART & ILLUSTRATION", "ART_AND_ILLUSTRATION_2D"),
    ("CG ART & GAME ASSETS", "CG_ART_AND_GAME_ASSETS"),
    ("CreateUniversalUpscalerJob", "CREATE_UNIVERSAL_UPSCALER_JOB"),
    ("createVariationNoBG", "CREATE_VARIATION_NO_BG"),
    ("VARIATION_TYPE", "VARIATION_TYPE"),
    ("job_status", "JOB_STATUS"),
    ("404", "VALUE_404"),
    ("", "VALUE"),
    ("café crème", "CAFE_CREME"),
    ("__init__", "INIT"),
    ("a-b c.d/e", "A_B_C_D_E"),
    ("../", "VALUE"),
    ("🎨", "VALUE"),
    ("___", "VALUE"),
    ("4K UPSCALE", "UPSCALE_4K"),
    ("class", "CLASS"),
]

PASCAL = [
    ("VARIATION_TYPE", "VariationType"),
    ("job_status", "JobStatus"),
    ("sdUpscaleJob", "SdUpscaleJob"),
    ("SDUpscaleJob", "SDUpscaleJob"),
    ("getVariationById", "GetVariationById"),
    ("CreateUniversalUpscalerJob", "CreateUniversalUpscalerJob"),
    ("createVariationNoBG", "CreateVariationNoBG"),
    ("2D ART & ILLUSTRATION", "ARTAndIllustration2D"),
    ("CG ART & GAME ASSETS", "CGARTAndGameAssets"),
    ("HTTPServer", "HttpServer"),
    ("404", "Model404"),
    ("", "Model"),
    ("café crème", "CafeCreme"),
    ("__init__", "Init"),
    ("pet name", "PetName"),
    ("../etc/passwd", "EtcPasswd"),
    ("🎨", "Model"),
    ("___", "Model"),
]


@pytest.mark.parametrize(("text", "expected"), SNAKE)
def test_snake(text: str, expected: str) -> None:
    assert naming.snake(text) == expected


@pytest.mark.parametrize(("text", "expected"), CONSTANT)
def test_constant(text: str, expected: str) -> None:
    assert naming.constant(text) == expected


@pytest.mark.parametrize(("text", "expected"), PASCAL)
def test_pascal(text: str, expected: str) -> None:
    assert naming.pascal(text) == expected


@pytest.mark.parametrize("text", [t for t, _ in SNAKE + CONSTANT + PASCAL])
def test_every_case_gives_an_identifier(text: str) -> None:
    for convert in (naming.snake, naming.constant, naming.pascal):
        out = convert(text)
        assert out.isidentifier(), (convert.__name__, text, out)
        assert out.isascii(), (convert.__name__, text, out)


@pytest.mark.parametrize(
    ("convert", "fallback"),
    [(naming.snake, "param"), (naming.constant, "MEMBER"), (naming.pascal, "Thing")],
)
def test_fallback_used_when_nothing_is_left(
    convert: Callable[[str, str], str], fallback: str
) -> None:
    assert convert("🎉 ... ___", fallback) == fallback


def test_fallback_not_used_for_digits_only() -> None:
    # Digits alone get the documented prefix, never the fallback.
    assert naming.snake("42", "param") == "value_42"


def test_ampersand_reads_as_and() -> None:
    assert naming.words("Q&A") == ["Q", "and", "A"]


def test_accents_are_stripped() -> None:
    assert naming.snake("Crème Brûlée") == "creme_brulee"


def test_other_non_ascii_separates_words() -> None:
    assert naming.snake("straße") == "stra_e"


def test_leading_digit_words_move_to_the_end() -> None:
    assert naming.snake("3D model view") == naming.snake("model view 3D") == "model_view_3d"


def test_short_acronyms_stay_long_caps_are_capitalised() -> None:
    assert naming.pascal("SD UPSCALE") == "SDUpscale"
    assert naming.pascal("SD JOB") == "SDJOB"  # three letters: still an acronym
    assert naming.pascal("UPSCALE STATUS") == "UpscaleStatus"


@pytest.mark.parametrize(
    ("text", "expected"), [("10x", "x_10"), ("123abc", "abc_123"), ("16x9", "x9_16")]
)
def test_a_number_stays_one_word(text: str, expected: str) -> None:
    assert naming.snake(text) == expected


# --- the Scope allocator ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("class", "class_"),
        ("None", "None_"),
        ("def", "def_"),
        ("_", "__"),
        ("str", "str_"),
        ("dict", "dict_"),
        ("self", "self_"),
        ("to_dict", "to_dict_"),
        ("from_dict", "from_dict_"),
        ("id", "id"),
        ("type", "type"),
        ("name", "name"),
    ],
)
def test_member_scope_reserved_words_get_underscore(name: str, expected: str) -> None:
    assert naming.member_scope().claim(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("None", "None_"),
        ("True", "True_"),
        ("class", "class_"),
        ("Any", "Any_"),
        ("Model", "Model_"),
        ("Enum", "Enum_"),
        ("str", "str_"),
        ("Pet", "Pet"),
    ],
)
def test_class_scope_reserved_names_get_underscore(name: str, expected: str) -> None:
    assert naming.class_scope().claim(name) == expected


def test_member_scope_extra_reserved_names() -> None:
    scope = naming.member_scope({"close"})
    assert scope.claim("close") == "close_"


def test_collisions_get_smallest_free_suffix_snake() -> None:
    scope = naming.member_scope()
    assert [scope.claim("pet") for _ in range(4)] == ["pet", "pet_2", "pet_3", "pet_4"]


def test_collisions_get_smallest_free_suffix_class() -> None:
    scope = naming.class_scope()
    assert [scope.claim("Pet") for _ in range(3)] == ["Pet", "Pet2", "Pet3"]


def test_suffix_skips_a_name_already_taken() -> None:
    scope = naming.member_scope()
    assert scope.claim("pet_2") == "pet_2"
    assert scope.claim("pet") == "pet"
    assert scope.claim("pet") == "pet_3"


def test_reserved_collision_suffixes_the_underscored_name() -> None:
    scope = naming.member_scope()
    assert scope.claim("class") == "class_"
    assert scope.claim("class") == "class__2"


def test_allocation_is_deterministic() -> None:
    names = ["b", "a", "b", "class", "a", "a_2", "str"]

    def run() -> list[str]:
        scope = naming.member_scope()
        return [scope.claim(n) for n in names]

    assert run() == run() == ["b", "a", "b_2", "class_", "a_2", "a_2_2", "str_"]


def test_is_free() -> None:
    scope = naming.member_scope()
    assert scope.is_free("pet")
    scope.claim("pet")
    assert not scope.is_free("pet")
    assert scope.is_free("pet_2")
    assert not scope.is_free("class")
    assert not scope.is_free("str")


def test_is_free_does_not_claim() -> None:
    scope = naming.Scope()
    assert scope.is_free("x")
    assert scope.is_free("x")
    assert scope.claim("x") == "x"


def test_plain_scope_reserves_nothing() -> None:
    scope = naming.Scope()
    assert scope.claim("VALUE") == "VALUE"
    assert scope.claim("VALUE") == "VALUE_2"


@pytest.mark.parametrize(
    ("name", "ok"),
    [("pet", True), ("class", False), ("None", False), ("café", False), ("1a", False), ("", False)],
)
def test_is_identifier(name: str, ok: bool) -> None:
    assert naming.is_identifier(name) is ok


# --- properties over arbitrary text ------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_gives_a_valid_unique_name(text: str) -> None:
    members = naming.member_scope()
    classes = naming.class_scope()
    constants = naming.Scope()
    first = members.claim(naming.snake(text))
    second = members.claim(naming.snake(text))
    assert_identifier(first)
    assert_identifier(second)
    assert first != second
    assert_identifier(classes.claim(naming.pascal(text)))
    assert_identifier(constants.claim(naming.constant(text)))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_case_conversions_never_start_with_a_digit(text: str) -> None:
    for convert in (naming.snake, naming.constant, naming.pascal):
        out = convert(text)
        assert out.isidentifier(), out
        assert out.isascii(), out
    assert naming.snake(text) == naming.snake(text).lower()
    assert naming.constant(text) == naming.constant(text).upper()
