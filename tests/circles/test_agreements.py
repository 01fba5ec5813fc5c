import pytest
from django.urls import reverse

from circles import permissions
from circles.actions import accept_agreements, update_agreements
from circles.models import AgreementVersion, Circle
from hearth.refusal import Refused
from tests.circles.conftest import membership, messages_of
from tests.refusals import refused

pytestmark = pytest.mark.django_db


def fresh(circle) -> Circle:
    return Circle.objects.get(pk=circle.pk)


def test_editing_the_agreements_adds_a_version_and_bumps_the_circle(circle, host):
    version = update_agreements(circle, host, "- Be kind.\n- Be brief.")
    assert version.version == 2
    assert fresh(circle).agreements_version == 2
    assert circle.agreements_version == 2
    texts = list(AgreementVersion.objects.filter(circle=circle).values_list("version", "text"))
    assert texts[0] == (2, "- Be kind.\n- Be brief.")
    assert texts[1][0] == 1  # the old version is kept as it was


def test_the_host_who_edits_has_accepted_and_members_are_asked_to(circle, host, member):
    update_agreements(circle, host, "- Be kind.")
    circle = fresh(circle)
    assert not permissions.needs_agreement_acceptance(host, circle)
    assert permissions.needs_agreement_acceptance(member, fresh(circle))
    assert not membership(circle, member).has_current_agreements


def test_saving_the_same_text_again_changes_nothing(circle, host):
    current = AgreementVersion.objects.get(circle=circle)
    assert update_agreements(circle, host, current.text) == current
    assert fresh(circle).agreements_version == 1


def test_empty_agreements_are_refused(circle, host):
    with pytest.raises(Refused, match="at least one"):
        update_agreements(circle, host, "   ")
    assert fresh(circle).agreements_version == 1


def test_over_long_agreements_are_refused(circle, host):
    with pytest.raises(Refused, match="under"):
        update_agreements(circle, host, "x" * 20_001)


def test_only_hosts_can_edit_the_agreements(circle, facilitator, member):
    for user in (facilitator, member):
        with refused("forbidden"):
            update_agreements(circle, user, "- Mine now.")
    assert fresh(circle).agreements_version == 1


def test_site_staff_can_edit_the_agreements(circle, staff):
    assert update_agreements(circle, staff, "- Staff edit.").version == 2


def test_a_member_accepts_the_new_version(circle, host, member):
    update_agreements(circle, host, "- Be kind.")
    accept_agreements(member, fresh(circle), 2)
    assert not permissions.needs_agreement_acceptance(member, fresh(circle))


def test_accepting_an_old_version_is_refused(circle, host, member):
    update_agreements(circle, host, "- Be kind.")
    with pytest.raises(Refused, match="changed"):
        accept_agreements(member, fresh(circle), 1)
    assert membership(circle, member).accepted_version == 1


def test_accepting_twice_is_harmless(circle, member):
    accept_agreements(member, circle, 1)
    assert accept_agreements(member, circle, 1).accepted_version == 1


def test_outsiders_cannot_accept(circle, outsider):
    with pytest.raises(Refused, match="not a member"):
        accept_agreements(outsider, circle, 1)


def test_the_detail_page_tells_members_the_agreements_were_updated(
    client_for, circle, host, member
):
    update_agreements(circle, host, "- Be kind.\n- Phones away.")
    body = client_for(member).get(reverse("circles:detail", args=[circle.slug])).content.decode()
    assert "The group agreements were updated" in body
    assert "Accept the new agreements" in body
    assert "Phones away" in body


def test_the_accept_page_records_the_acceptance(client_for, circle, host, member):
    update_agreements(circle, host, "- Be kind.")
    response = client_for(member).post(
        reverse("circles:accept", args=[circle.slug]), {"version": 2, "accept": "on"}, follow=True
    )
    assert any("Thank you" in m for m in messages_of(response))
    assert membership(circle, member).accepted_version == 2


def test_the_accept_page_needs_the_tick(client_for, circle, host, member):
    update_agreements(circle, host, "- Be kind.")
    client_for(member).post(reverse("circles:accept", args=[circle.slug]), {"version": 2})
    assert membership(circle, member).accepted_version == 1


def test_the_accept_page_refuses_get(client_for, circle, member):
    assert client_for(member).get(reverse("circles:accept", args=[circle.slug])).status_code == 405


def test_the_history_page_shows_what_changed(client, circle, host):
    update_agreements(circle, host, "- We listen without fixing.\n- Phones away.")
    body = client.get(reverse("circles:agreements", args=[circle.slug])).content.decode()
    assert "Version 2 (current)" in body
    assert "Version 1" in body
    assert "Phones away" in body
    assert "<del>" in body  # the replaced line


def test_the_edit_page_saves_a_new_version(client_for, circle, host, member):
    url = reverse("circles:edit_agreements", args=[circle.slug])
    response = client_for(host).post(url, {"text": "- New rule."}, follow=True)
    assert any("version 2" in m for m in messages_of(response))
    assert fresh(circle).agreements_version == 2


def test_the_edit_page_shows_errors_and_changes_nothing(client_for, circle, host):
    url = reverse("circles:edit_agreements", args=[circle.slug])
    response = client_for(host).post(url, {"text": ""})
    assert response.status_code == 400
    assert fresh(circle).agreements_version == 1


def test_the_edit_page_is_for_hosts_only(client_for, circle, member):
    url = reverse("circles:edit_agreements", args=[circle.slug])
    assert client_for(member).post(url, {"text": "- Mine."}).status_code == 403
    assert fresh(circle).agreements_version == 1


def test_the_history_page_refuses_post_and_hides_from_the_banned(client_for, circle, banned):
    url = reverse("circles:agreements", args=[circle.slug])
    assert client_for(banned).get(url).status_code == 403
    assert client_for(None).post(url).status_code == 405
