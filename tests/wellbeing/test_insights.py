"""The anonymity threshold, the distribution, the average change and the follow-up rules:
pure functions, no database."""

import pytest

from meetings.wellbeing.insights import (
    ASKED,
    MUCH_LOWER,
    Answer,
    OffScale,
    average_change,
    distribution,
    follow_ups,
    group_insights,
    is_much_lower,
    parse_score,
)


def arriving(person, score, wants=False):
    return Answer(person=person, moment="arriving", score=score, wants_check_in=wants)


def leaving(person, score, wants=False):
    return Answer(person=person, moment="leaving", score=score, wants_check_in=wants)


def test_two_answers_show_nothing_at_all():
    answers = [arriving("a", 2), arriving("b", 4), leaving("a", 3), leaving("b", 5)]
    assert group_insights(answers) is None


def test_three_answers_show_the_distribution_and_the_average_change():
    answers = [
        arriving("a", 2),
        arriving("b", 3),
        arriving("c", 3),
        leaving("a", 3),
        leaving("b", 4),
        leaving("c", 5),
    ]
    group = group_insights(answers)
    assert group.arriving == {1: 0, 2: 1, 3: 2, 4: 0, 5: 0}
    assert group.leaving == {1: 0, 2: 0, 3: 1, 4: 1, 5: 1}
    assert group.average_change == 1.3
    assert group.pairs == 3


def test_rather_not_say_never_counts_towards_the_threshold():
    answers = [arriving("a", 2), arriving("b", 4), arriving("c", None)]
    assert group_insights(answers) is None
    assert distribution([2, 4, None]) is None


def test_each_figure_has_its_own_threshold():
    answers = [arriving("a", 1), arriving("b", 2), arriving("c", 3), leaving("a", 4)]
    group = group_insights(answers)
    assert group.arriving == {1: 1, 2: 1, 3: 1, 4: 0, 5: 0}
    assert group.leaving is None
    assert group.average_change is None
    assert group.pairs is None


def test_the_average_change_pairs_each_person_with_themselves():
    # Arriving and leaving are different people except for two: no pairs, no change.
    answers = [arriving(p, 1) for p in "abc"] + [leaving(p, 5) for p in "xyz"]
    assert average_change(answers) is None
    answers += [leaving("a", 2), leaving("b", 3), leaving("c", 1)]
    assert average_change(answers) == 1.0


def test_a_changed_answer_counts_once_the_last_one_wins():
    answers = [arriving("a", 1), arriving("a", 5), arriving("b", 5), arriving("c", 5)]
    assert distribution(a.score for a in answers[1:]) == {1: 0, 2: 0, 3: 0, 4: 0, 5: 3}
    assert group_insights(answers).arriving == {1: 0, 2: 0, 3: 0, 4: 0, 5: 3}


def test_leaving_two_points_lower_is_much_lower_one_point_is_not():
    assert is_much_lower(4, 2)
    assert is_much_lower(5, 1)
    assert not is_much_lower(4, 3)
    assert not is_much_lower(2, 4)
    assert not is_much_lower(None, 1)
    assert not is_much_lower(5, None)


def test_follow_ups_list_those_who_asked_and_those_who_left_much_lower():
    answers = [
        arriving("asked", 3, wants=True),
        arriving("dropped", 4),
        arriving("fine", 3),
        arriving("asked_late", 3),
        arriving("both", 5, wants=True),
        leaving("dropped", 2),
        leaving("fine", 2),
        leaving("asked_late", 3, wants=True),
        leaving("both", 1),
    ]
    result = {f.person: f.reasons for f in follow_ups(answers)}
    assert result == {
        "asked": (ASKED,),
        "dropped": (MUCH_LOWER,),
        "asked_late": (ASKED,),
        "both": (ASKED, MUCH_LOWER),
    }


def test_follow_ups_do_not_need_the_threshold():
    # One person alone who left much lower is still followed up.
    assert [f.person for f in follow_ups([arriving("a", 5), leaving("a", 2)])] == ["a"]


def test_a_drop_from_rather_not_say_is_not_a_follow_up():
    assert follow_ups([arriving("a", None), leaving("a", 1)]) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, 1), ("5", 5), (" 3 ", 3), (None, None), ("", None), ("none", None), ("None", None)],
)
def test_scores_on_the_scale_are_accepted(value, expected):
    assert parse_score(value) == expected


@pytest.mark.parametrize("value", [0, 6, -1, "0", "6", "2.5", 2.0, True, "lots", [3], "-1"])
def test_scores_off_the_scale_are_refused(value):
    with pytest.raises(OffScale):
        parse_score(value)
