"""Crisis resources read as links: numbers to call, sites to open, the rest as text."""

import pytest
from django.urls import reverse

from circles.rendering import crisis_resource_lines


def links(text):
    return [
        (p["text"], p["href"]) for line in crisis_resource_lines(text) for p in line if "href" in p
    ]


def test_the_default_resources_become_one_line_each_with_their_links(settings):
    lines = crisis_resource_lines(settings.HEARTH_DEFAULT_CRISIS_RESOURCES)

    assert len(lines) == 4
    assert links(settings.HEARTH_DEFAULT_CRISIS_RESOURCES) == [
        ("https://findahelpline.com", "https://findahelpline.com"),
        ("988", "tel:988"),
        ("116 123", "tel:116123"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call 0800 000 000 now", [("0800 000 000", "tel:0800000000")]),
        ("Call +44 (0)20 7946 0958.", [("+44 (0)20 7946 0958", "tel:+442079460958")]),
        ("US: 1-800-273-8255", [("1-800-273-8255", "tel:18002738255")]),
        (
            "See www.samaritans.org/help.",
            [("www.samaritans.org/help", "https://www.samaritans.org/help")],
        ),
        ("Visit mind.org.uk", [("mind.org.uk", "https://mind.org.uk")]),
        ("Open 24 hours since 2026", []),
        ("Write to help@example.org", []),
    ],
)
def test_numbers_and_sites_become_links(text, expected):
    assert links(text) == expected


def test_the_words_around_a_link_are_kept_as_they_were():
    line = crisis_resource_lines("Call Samaritans on 116 123 (free).")[0]

    assert "".join(part["text"] for part in line) == "Call Samaritans on 116 123 (free)."


def test_blank_lines_are_left_out():
    assert crisis_resource_lines("\n  \nCall 988\n\n") == [
        [{"text": "Call "}, {"text": "988", "href": "tel:988"}]
    ]


def test_the_circle_page_shows_them_as_links(client, circle):
    html = client.get(reverse("circles:detail", args=[circle.slug])).content.decode()

    assert 'href="tel:988"' in html
    assert 'href="https://findahelpline.com"' in html
