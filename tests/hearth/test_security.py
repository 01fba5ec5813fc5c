import re
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
STATIC = sorted((ROOT / "static").rglob("*.*"))


@pytest.mark.django_db
def test_every_page_sends_a_strict_content_security_policy(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_no_inline_script_style_or_handlers(template):
    html = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"\sstyle\s*=", html), "inline style attribute"
    assert not re.search(r"<style[\s>]", html), "inline <style>"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"


@pytest.mark.parametrize("asset", TEMPLATES + STATIC, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_asset_comes_from_a_cdn(asset):
    text = asset.read_text(errors="ignore")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert not re.search(r"""@import\s+url\(\s*["']?(https?:)?//""", text)


@pytest.mark.django_db
def test_an_unknown_url_gets_a_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()


@pytest.mark.django_db
def test_a_csrf_failure_gets_a_page_that_says_what_to_do():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": "a@b.org", "password": "x"})
    assert response.status_code == 403
    assert "reload the page" in response.content.decode()


@pytest.mark.django_db
def test_pages_have_a_skip_link_and_a_main_landmark(client):
    page = client.get("/").content.decode()
    assert 'class="skip-link" href="#main"' in page
    assert '<main id="main"' in page
    assert '<html lang="en">' in page
