"""Markdown in item descriptions and comments is rendered, and whatever could run is removed."""

from __future__ import annotations

import pytest

from saas.roadmaps.items.markdown import render_markdown


def test_markdown_is_rendered():
    html = render_markdown(
        "# Plan\n\n- **one**\n- [two](https://example.com)\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<h1>Plan</h1>" in html
    assert "<strong>one</strong>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">two</a>' in html
    assert "<td>1</td>" in html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        '<a href="javascript:alert(1)">x</a>',
        "![x](https://evil.example/pixel.png)",
    ],
)
def test_nothing_that_runs_or_loads_survives(text):
    html = render_markdown(text)
    assert "<script" not in html
    assert "<img" not in html
    assert '<a href="javascript' not in html
    assert '<a href="data:' not in html


def test_empty_description_renders_nothing():
    assert render_markdown(None) == ""
