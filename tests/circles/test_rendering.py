from circles.rendering import render_markdown


def test_it_renders_lists_emphasis_and_links():
    html = render_markdown("- **Be kind**\n- *Listen*\n\n[Help](https://findahelpline.com)")
    assert "<li><strong>Be kind</strong></li>" in html
    assert "<em>Listen</em>" in html
    assert 'href="https://findahelpline.com"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_it_strips_scripts_styles_and_event_handlers():
    html = render_markdown(
        "<script>alert(1)</script><style>body{}</style><img src=x onerror=alert(1)>"
        '<p onclick="x()">hi</p>'
    )
    assert "<script" not in html
    assert "<style" not in html
    assert "onerror" not in html
    assert "onclick" not in html
    assert "<img" not in html


def test_it_drops_javascript_links():
    html = render_markdown("[click](javascript:alert(1))")
    assert "javascript:" not in html


def test_headings_sit_below_the_page_heading():
    html = render_markdown("# Our agreements\n\n## Speaking")
    assert "<h1>" not in html
    assert "<h2>" not in html
    assert "<h3>Our agreements</h3>" in html


def test_empty_text_renders_nothing():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""
