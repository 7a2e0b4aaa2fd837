"""Policy files: the eight shipped policies load, and a faulty file is refused with its paths."""

import pytest

from tracker.coverage import VERIFY, InvalidPolicy, parse_policy, shipped_policies

SHIPPED = ("cigna-spravato", "qualchoice-spravato", "bcbsnd-spravato", "carefirst-spravato",
           "cms-l34998-tms", "cms-l37086-tms", "centene-tms", "aetna-tms")

MINIMAL = """
id = "test-policy"
title = "Test"
payer = "Test payer"
treatment = "tms"
source = "a test"
read = "2026-11-20"
"""


def refused(text: str) -> list[str]:
    with pytest.raises(InvalidPolicy) as caught:
        parse_policy(text)
    return caught.value.problems


def test_the_eight_policies_ship_with_source_read_date_and_verify_note():
    policies = shipped_policies()
    assert sorted(policies) == sorted(SHIPPED)
    for policy in policies.values():
        assert policy.source and policy.read.startswith("2026-11")
        assert policy.verify == VERIFY
        assert policy.treatment in ("esketamine", "tms")


def test_cigna_parameters_are_read_as_written():
    cigna = shipped_policies()["cigna-spravato"]
    failed = cigna.criteria[0]
    assert failed.kind == "failed_courses"
    assert (failed.get("count"), failed.get("classes"), failed.get("improvement_max_pct"),
            failed.get("inclusive"), failed.get("partial_counts")) == (2, 2, 25, True, False)
    assert [c.params["text"] for c in cigna.criteria if c.kind == "attest"] == [
        "Prescription-monitoring program checked",
        "Prescribed by or in consultation with a psychiatrist"]
    assert cigna.reauthorisation.min_improvement_pct == 0
    assert not cigna.reauthorisation.inclusive


def test_carefirst_any_of_holds_its_two_options():
    carefirst = shipped_policies()["carefirst-spravato"]
    options = carefirst.criteria[1]
    assert options.kind == "any_of"
    assert [c.kind for c in options.criteria] == ["augmentation_courses", "psychotherapy"]
    assert carefirst.criteria[0].get("window") == {"lookback_months": 60}


def test_defaults_apply_when_a_parameter_is_absent():
    policy = parse_policy(MINIMAL + '[[criteria]]\nkind = "failed_courses"\ncount = 2\n')
    failed = policy.criteria[0]
    assert (failed.get("classes"), failed.get("min_days"), failed.get("improvement_max_pct"),
            failed.get("inclusive"), failed.get("partial_counts"), failed.get("adherence"),
            failed.get("window")) == (1, 42, 50, False, True, "not_poor", "current_episode")


def test_unknown_kind_missing_parameter_and_wrong_type_are_named_by_path():
    problems = refused(MINIMAL + """
[[criteria]]
kind = "failed_courses"
count = 2
min_days = "six weeks"

[[criteria]]
kind = "sunshine"

[[criteria]]
kind = "augmentation_courses"

[[criteria]]
kind = "age"
min_years = true
""")
    assert "criteria[0].min_days: expected a whole number (0 or more), got text 'six weeks'" \
        in problems
    assert any(p.startswith("criteria[1].kind: unknown kind 'sunshine'") for p in problems)
    assert "criteria[2].count: missing" in problems
    assert "criteria[3].min_years: expected a whole number (0 or more), got true/false True" \
        in problems
    assert len(problems) == 4


def test_nested_and_top_level_problems_are_all_named():
    problems = refused("""
id = "Bad Id"
title = "x"
payer = "y"
treatment = "ect"
read = "last week"
colour = "blue"

[[criteria]]
kind = "any_of"
  [[criteria.criteria]]
  kind = "attest"
  text = "no"
  [[criteria.criteria]]
  kind = "psychotherapy"
  evidence_based = "yes"
  window = { lookback_months = -1 }

[[criteria]]
kind = "baseline_score"
within_days = 30
any_of = [{ instrument = "BDI", min_score = 10 }, { min_score = 3.5 }]

[reauthorisation]
instrument = []
after_days = 28
""")
    for expected in (
        "source: missing", "colour: unknown key (known: id, title, payer, treatment, source, "
        "read, verify, notes, criteria, reauthorisation)",
        "id: use lower-case letters, digits and hyphens (2 to 64)",
        "treatment: expected one of esketamine, tms, got 'ect'",
        "read: expected a date (YYYY-MM-DD or YYYY-MM), got 'last week'",
        "criteria[0].criteria[0].kind: attest cannot be an option of any_of",
        "criteria[0].criteria[1].evidence_based: expected true or false, got text 'yes'",
        "criteria[0].criteria[1].window.lookback_months: expected a whole number (0 or more), "
        "got a whole number -1",
        "criteria[1].any_of[1].instrument: missing",
        "criteria[1].any_of[1].min_score: expected a whole number (0 or more), got a number 3.5",
        "reauthorisation.min_improvement_pct: missing",
    ):
        assert expected in problems, (expected, problems)
    assert any(p.startswith("criteria[1].any_of[0].instrument: expected a list of instruments")
               for p in problems)
    assert any(p.startswith("reauthorisation.instrument: expected") for p in problems)


def test_a_file_that_is_not_toml_is_refused_with_the_reason():
    problems = refused("id = \n")
    assert problems[0].startswith("$: not a valid TOML file")


def test_criteria_must_be_a_non_empty_list_and_count_at_least_one():
    assert "criteria: missing" in refused(MINIMAL)
    problems = refused(MINIMAL + "criteria = [1]\n")
    assert problems == ["criteria[0]: expected a table with a kind"]
    problems = refused(MINIMAL + '[[criteria]]\nkind = "failed_courses"\ncount = 0\n')
    assert problems == ["criteria[0].count: must be at least 1"]


def test_a_toml_date_is_accepted_as_the_read_date():
    policy = parse_policy(MINIMAL.replace('"2026-11-20"', "2026-11-20")
                          + '[[criteria]]\nkind = "no_psychotic_features"\n')
    assert policy.read == "2026-11-20"


def test_malformed_windows_scores_and_reauthorisation_tables_are_named():
    problems = refused(MINIMAL + """
reauthorisation = "every 6 months"

[[criteria]]
kind = "failed_courses"
count = 2
window = "last year"
colour = "red"

[[criteria]]
kind = "baseline_score"
within_days = 30
any_of = "PHQ-9"

[[criteria]]
kind = "baseline_score"
within_days = 30
any_of = ["PHQ-9 >= 16"]
""")
    assert problems == [
        "criteria[0].colour: unknown key (known: count, classes, min_days, improvement_max_pct, "
        "inclusive, partial_counts, adherence, window, intolerance_counts)",
        'criteria[0].window: expected "current_episode" or { lookback_months = N }, got text '
        "'last year'",
        "criteria[1].any_of: expected a list of { instrument, min_score }, got text 'PHQ-9'",
        "criteria[2].any_of[0]: expected { instrument, min_score }, got text 'PHQ-9 >= 16'",
        "reauthorisation: expected a table",
    ]


def test_more_classes_than_courses_is_refused():
    problems = refused(MINIMAL + '[[criteria]]\nkind = "failed_courses"\ncount = 1\nclasses = 2\n')
    assert problems == ["criteria[0].classes: 2 classes cannot be spanned by 1 course"]
