import pytest

from tracker.catalogue import UnknownDrug, default_catalogue
from tracker.rules.vocab import AgentRole


@pytest.mark.parametrize(("name", "generic"), [
    ("sertraline", "sertraline"), ("ZOLOFT", "sertraline"), (" lexapro ", "escitalopram"),
    ("Effexor XR", "venlafaxine"), ("abilify", "aripiprazole"),
])
def test_generic_and_brand_names_resolve_in_any_case(name, generic):
    assert default_catalogue().resolve(name).generic == generic


def test_antidepressants_and_augmentation_agents_are_told_apart():
    catalogue = default_catalogue()
    assert catalogue.resolve("sertraline").role is AgentRole.ANTIDEPRESSANT
    assert catalogue.resolve("lithium").role is AgentRole.AUGMENTATION
    assert catalogue.resolve("lithium").min_adequate_mg_per_day is None


def test_table_values_are_loaded():
    agent = default_catalogue().resolve("venlafaxine")
    assert (agent.drug_class, agent.min_adequate_mg_per_day, agent.rxcui) == ("SNRI", 150, "39786")
    assert default_catalogue().resolve("levomilnacipran").rxcui is None
    assert len(default_catalogue().entries) == 35 + 8


def test_unknown_name_lists_the_closest_known_names():
    with pytest.raises(UnknownDrug) as caught:
        default_catalogue().resolve("Zolfot")
    assert "Zoloft" in caught.value.suggestions
    assert "did you mean" in str(caught.value)
    with pytest.raises(UnknownDrug) as nothing_close:
        default_catalogue().resolve("qqqqqq")
    assert nothing_close.value.suggestions == []


def test_overrides_replace_a_minimum_dose_without_touching_the_default():
    custom = default_catalogue().with_overrides({"sertraline": 100})
    assert custom.resolve("Zoloft").min_adequate_mg_per_day == 100
    assert default_catalogue().resolve("Zoloft").min_adequate_mg_per_day == 50
    with pytest.raises(UnknownDrug):
        default_catalogue().with_overrides({"placebo": 1})


def test_names_for_autocomplete_hold_generics_and_brands():
    names = default_catalogue().names()
    assert "sertraline" in names and "Zoloft" in names and names == sorted(names, key=str.casefold)


@pytest.mark.parametrize(("name", "generic", "formulation"), [
    ("venlafaxine XR", "venlafaxine", "XR"), ("Wellbutrin XL", "bupropion", "XL"),
    ("paroxetine CR", "paroxetine", "CR"), ("Effexor XR", "venlafaxine", "XR"),
    ("bupropion sr", "bupropion", "SR"), ("mirtazapine ODT", "mirtazapine", "ODT"),
    ("sertraline", "sertraline", ""),
])
def test_release_form_suffixes_resolve_to_the_generic_and_give_the_formulation(
        name, generic, formulation):
    agent, found = default_catalogue().resolve_with_formulation(name)
    assert (agent.generic, found) == (generic, formulation)
    assert default_catalogue().resolve(name).generic == generic


def test_a_suffix_on_an_unknown_name_is_still_unknown():
    with pytest.raises(UnknownDrug):
        default_catalogue().resolve("zolfot XR")
