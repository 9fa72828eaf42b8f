"""Evidence bodies are printed as written, the check's field is found, big bodies are cut around it."""

from __future__ import annotations

from conformance.report.pretty import find, format_path, parse_path, pretty, window


def test_number_literals_keep_their_spelling_and_duplicate_keys_stay():
    printed = pretty('{"a":9.816358E7,"b":6976542.0,"c":1e-9,"a":-0}')
    assert printed.is_json
    assert printed.lines == ["{", '  "a": 9.816358E7,', '  "b": 6976542.0,', '  "c": 1e-9,', '  "a": -0', "}"]
    assert printed.spans[("a",)] == [(1, 1), (4, 4)]


def test_strings_keep_their_escapes_and_korean_text():
    printed = pretty('{"n":"삼성\\u0041\\"x"}')
    assert printed.lines[1] == '  "n": "삼성\\u0041\\"x"'


def test_empty_containers_print_on_one_line():
    assert pretty('{"a":[],"b":{}}').lines == ["{", '  "a": [],', '  "b": {}', "}"]


def test_the_field_named_by_a_check_path_is_highlighted_exactly():
    printed = pretty('{"list":{"items":[{"n":"a"},{"n":"NULL","m":1}]}}')
    mark = find(printed, "list.items[1].n")
    assert mark.how == "exact"
    assert [printed.lines[i].strip() for i in mark.lines] == ['"n": "NULL",']


def test_a_container_path_highlights_the_whole_container_and_wildcards_match_every_index():
    printed = pretty('{"l":[{"n":1},{"n":2}]}')
    assert len(find(printed, "l[1]").lines) == 3
    marked = {printed.lines[i].strip().rstrip(",") for i in find(printed, "l[*].n").lines}
    assert marked == {'"n": 1', '"n": 2'}
    assert find(printed, "$.l[0].n").how == "exact"
    assert find(printed, "/l/0/n").how == "exact"


def test_an_absent_field_highlights_its_nearest_parent_and_says_so():
    printed = pretty('{"resp":{"respCode":"200"}}')
    mark = find(printed, "resp.respMsg")
    assert mark.how == "parent" and mark.lines == {1}
    assert "resp.respMsg is not in this body" in mark.note
    assert find(printed, "nothing.here").how == "none"


def test_non_json_bodies_are_text_and_get_no_highlight():
    for body in ("<html><h1>502</h1></html>", '{"a":1} trailing', '{"a":', "", "null", '{"a" 1}'):
        printed = pretty(body)
        assert not printed.is_json, body
        assert find(printed, "a").how == "none"


def test_a_body_cut_by_the_recorder_is_printed_as_far_as_it_goes_with_a_note():
    printed = pretty('{"a":{"b":[1,2,3],"c":"abc\n… (5000 more characters)')
    assert printed.is_json and printed.cut
    assert printed.lines[-1].startswith("… body cut here by the recorder (5000 more characters")
    assert find(printed, "a.b[2]").how == "exact"


def test_a_broker_body_that_simply_ends_early_is_shown_as_text_exactly():
    printed = pretty('{"a":[1,2')
    assert not printed.is_json and printed.lines == ['{"a":[1,2']


def test_deep_nesting_falls_back_to_text_instead_of_crashing():
    assert not pretty("[" * 5000 + "]" * 5000).is_json


def test_one_huge_line_is_clipped():
    printed = pretty("x" * 10_000)
    assert len(printed.lines[0]) < 2_100 and printed.lines[0].endswith("more characters on this line)")


def test_window_keeps_the_highlighted_line_of_a_big_body_and_counts_what_it_hides():
    lines = [f"line {n:05d}" for n in range(10_000)]
    segments, hidden = window(lines, {7_000}, cap_chars=2_000)
    shown = [s for s in segments if not s.hidden]
    assert any(s.highlighted and s.text == "line 07000" for s in shown)
    assert shown[0].first == 0  # the top of the body is kept too
    assert hidden == 10_000 - sum(s.text.count("\n") + 1 for s in shown)
    assert sum(s.hidden for s in segments) == hidden
    assert sum(len(s.text) for s in shown) <= 2_100


def test_window_shows_a_small_body_whole():
    segments, hidden = window(["{", "  1", "}"], {1}, cap_chars=1_000)
    assert hidden == 0 and [s.text for s in segments] == ["{", "  1", "}"]


def test_paths_parse_and_format_round_trip():
    assert parse_path("a.b[3].c") == ("a", "b", "3", "c")
    assert parse_path("a[].b") == ("a", "*", "b")
    assert format_path(("a", "b", "3", "c")) == "a.b[3].c"
