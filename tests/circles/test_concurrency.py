"""Races on PostgreSQL with real threads. Each has a control run without the row lock
that shows the race is real, so the locked run proves the lock is what prevents it."""

import threading
import time

import pytest
from django.db import connection

from circles import actions
from circles.models import Circle, Membership
from hearth.refusal import Refused
from tests.factories import CircleFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.fail("concurrency tests need PostgreSQL (set DATABASE_URL)")


def _run_together(calls) -> list[Exception]:
    barrier = threading.Barrier(len(calls))
    errors: list[Exception] = []

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
        except Refused as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def _slow_checks(monkeypatch, *, locked: bool):
    """Widen the window between checking and writing; without the lock, drop it."""
    count = actions._active_count

    def slow_count(circle):
        result = count(circle)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(actions, "_active_count", slow_count)
    check_host = actions._check_not_last_host

    def slow_check_host(*args):
        check_host(*args)
        time.sleep(0.3)

    monkeypatch.setattr(actions, "_check_not_last_host", slow_check_host)
    if not locked:
        monkeypatch.setattr(
            actions,
            "_lock",
            lambda circle: Circle.objects.get(pk=getattr(circle, "pk", circle)),
        )


def _last_place_race(monkeypatch, locked):
    circle = CircleFactory(member_limit=2)
    MembershipFactory(circle=circle, role=Membership.Role.HOST)
    people = [UserFactory() for _ in range(3)]
    _slow_checks(monkeypatch, locked=locked)
    errors = _run_together(
        [lambda u=u: actions.join_circle(u, circle, accepted_version=1) for u in people]
    )
    return Membership.objects.filter(circle=circle, state="active").count(), errors


def test_only_one_person_gets_the_last_place(monkeypatch):
    active, errors = _last_place_race(monkeypatch, locked=True)
    assert active == 2
    assert len(errors) == 2
    assert all("full" in error.message for error in errors)


def test_control_without_the_lock_the_circle_overfills(monkeypatch):
    active, _ = _last_place_race(monkeypatch, locked=False)
    assert active > 2


def _two_hosts_leave(monkeypatch, locked):
    circle = CircleFactory()
    hosts = [UserFactory() for _ in range(2)]
    for user in hosts:
        MembershipFactory(circle=circle, user=user, role=Membership.Role.HOST)
    _slow_checks(monkeypatch, locked=locked)
    _run_together([lambda u=u: actions.leave_circle(u, circle) for u in hosts])
    return Membership.objects.filter(circle=circle, state="active", role="host").count()


def test_two_hosts_leaving_at_once_leave_one_host(monkeypatch):
    assert _two_hosts_leave(monkeypatch, locked=True) == 1


def test_control_without_the_lock_both_hosts_leave(monkeypatch):
    assert _two_hosts_leave(monkeypatch, locked=False) == 0


def _two_hosts_delete_their_accounts(monkeypatch, locked):
    from members.actions import delete_account

    circle = CircleFactory()
    hosts = [UserFactory() for _ in range(2)]
    for user in hosts:
        MembershipFactory(circle=circle, user=user, role=Membership.Role.HOST)
    check = actions._other_hosts_exist

    def slow_check(*args):
        result = check(*args)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(actions, "_other_hosts_exist", slow_check)
    if not locked:
        monkeypatch.setattr(
            actions, "_lock_circles", lambda ids: list(Circle.objects.filter(pk__in=ids))
        )
    _run_together([lambda u=u: delete_account(u) for u in hosts])
    circle.refresh_from_db()
    return circle.staff_hosted_since


def test_two_hosts_deleting_their_accounts_at_once_pass_the_circle_to_staff(monkeypatch):
    assert _two_hosts_delete_their_accounts(monkeypatch, locked=True) is not None


def test_control_without_the_lock_the_circle_is_left_unhosted_silently(monkeypatch):
    assert _two_hosts_delete_their_accounts(monkeypatch, locked=False) is None
