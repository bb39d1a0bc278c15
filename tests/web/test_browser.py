"""Real-browser tests: the real ``calmdesk serve`` driven by headless Debian Chromium.

Never downloads a browser. Without /usr/bin/chromium these skip, unless
``CALMDESK_REQUIRE_BROWSER=1`` (CI), in which case they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright
from tests.web.conftest import Server

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
TABLET = {"width": 1024, "height": 768}
ANGRY = "我的卡凭什么不让查？你们就是故意刁难人！"
BAD_REPLY = "没有身份证不能查，规定就是这样。"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("CALMDESK_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CALMDESK_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=TABLET, locale="zh-CN")
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()


def _mark_document(page: Page) -> None:
    """Tag the document so a full reload (instead of an htmx swap) would be noticed."""
    page.evaluate("window.__calmdesk_marker = 42")


def _still_same_document(page: Page) -> bool:
    return bool(page.evaluate("window.__calmdesk_marker === 42"))


def test_live_assistant_end_to_end(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/")
    expect(page.locator("h1")).to_have_text("现场助手")
    _mark_document(page)

    page.fill("#turn-text", ANGRY)
    page.click("[data-testid=say-customer]")
    anger = page.locator("[data-testid=anger]")
    expect(anger).to_be_visible()
    assert int(anger.get_attribute("data-anger") or 0) >= 2
    expect(page.locator("[data-testid=stage]")).to_have_attribute("data-stage", "respond")
    expect(page.locator("[data-testid=scenario] h2")).to_contain_text("场景")
    assert page.locator("[data-testid=suggestions] li").count() >= 2
    expect(page.locator(".bubble")).to_have_count(1)
    expect(page.locator("#turn-text")).to_have_value("")

    # Check a draft inline: findings, better wording — and nothing is recorded.
    page.fill("#turn-text", BAD_REPLY)
    page.click("[data-testid=check-draft]")
    draft = page.locator("[data-testid=draft]")
    expect(draft).to_be_visible()
    expect(draft.locator("mark.mark-bad").first).to_be_visible()
    expect(draft.locator("[data-testid=draft-better]")).to_contain_text("更好的说法")
    expect(page.locator(".bubble")).to_have_count(1)
    expect(page.locator("#turn-text")).to_have_value(BAD_REPLY)  # still there to edit

    # Say it anyway: the staff turn is recorded and the warnings are red.
    page.click("[data-testid=say-staff]")
    expect(page.locator(".bubble")).to_have_count(2)
    warnings = page.locator("[data-testid=warnings]")
    expect(warnings.locator("[data-code=premature-explanation]")).to_be_visible()
    colour = warnings.locator("li").first.evaluate("e => getComputedStyle(e).borderLeftColor")
    assert colour == "rgb(180, 35, 24)"  # --bad
    expect(page.locator("[data-testid=stage]")).to_have_attribute("data-stage", "listen")

    # One tap records a suggested phrase.
    page.locator("[data-testid=suggestions] button").first.click()
    expect(page.locator(".bubble")).to_have_count(3)
    assert _still_same_document(page), "htmx should update the page in place"

    # The stored session is on the sessions page.
    link = page.locator(".session-meta a").get_attribute("href")
    page.click("text=会话记录")
    page.click(f"[data-testid=sessions] a[href='{link}'] >> nth=0")
    expect(page.locator("[data-testid=turns] > li")).to_have_count(3)


def test_traditional_switch(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/")
    page.fill("#turn-text", ANGRY)
    page.click("[data-testid=say-customer]")
    expect(page.locator("[data-testid=anger]")).to_be_visible()
    page.click("[data-testid=script-switch]")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
    expect(page.locator("h1")).to_have_text("現場助手")
    expect(page.locator(".meter-title")).to_have_text("客戶怒氣")
    expect(page.locator(".bubble-text").last).to_contain_text("不让查")  # as typed
    page.click("text=話術檢查")  # the choice sticks across pages
    expect(page.locator("h1")).to_have_text("話術檢查")
    page.click("[data-testid=script-switch]")
    expect(page.locator("h1")).to_have_text("话术检查")


def test_reply_checker_end_to_end(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/check")
    _mark_document(page)
    page.fill("#check-text", "不行，规定就是这样，你明天再来吧。")
    page.click("[data-testid=check-submit]")
    result = page.locator("[data-testid=check-result]")
    expect(result).to_be_visible()
    expect(result.locator("[data-testid=reply-text] mark[data-code=refusal-only]")).to_have_text(
        "不行"
    )
    expect(result.locator("[data-testid=reply-text] mark[data-code=rule-only]")).to_have_text(
        "规定"
    )
    expect(result.locator("[data-testid=findings] li").first).to_contain_text("原则")
    expect(result.locator("[data-testid=better]")).to_contain_text("为了保护您")
    assert _still_same_document(page)

    # With a topic chosen, the better wording comes from that topic's scripts.
    page.click("summary")
    page.select_option("select[name=topic]", "no-valid-id")
    page.fill("#check-text", "没带身份证办不了")
    page.click("[data-testid=check-submit]")
    expect(result.locator("[data-testid=better]")).to_be_visible()


def test_user_script_is_shown_not_run(page: Page, server: Server) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server.url}/")
    typed = "<script>alert('xss')</script><img src=x onerror=\"alert('img')\">"
    page.fill("#turn-text", typed)
    page.click("[data-testid=say-customer]")
    expect(page.locator(".bubble-text").last).to_have_text(typed)
    page.reload()
    expect(page.locator(".bubble-text").last).to_have_text(typed)
    page.goto(f"{server.url}/check")
    page.fill("#check-text", typed)
    page.click("[data-testid=check-submit]")
    expect(page.locator("[data-testid=reply-text]")).to_have_text(typed)
    assert dialogs == []


def test_forms_work_without_javascript(browser: Browser, server: Server) -> None:
    context = browser.new_context(viewport=TABLET, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{server.url}/")
        page.fill("#turn-text", ANGRY)
        page.click("[data-testid=say-customer]")
        expect(page.locator("[data-testid=anger]")).to_be_visible()
        page.fill("#turn-text", BAD_REPLY)
        page.click("[data-testid=check-draft]")
        expect(page.locator("[data-testid=draft] mark.mark-bad").first).to_be_visible()
        page.click("[data-testid=say-staff]")
        expect(page.locator("[data-testid=warnings]")).to_be_visible()
        page.goto(f"{server.url}/playbook")
        page.fill("input[name=q]", "客户的卡被取款机吞了")
        page.click("text=查找")
        first = page.locator("[data-testid=scenarios] a").first
        expect(first).to_contain_text("吞卡")
        first.click()
        expect(page.locator("[data-testid=scenario-detail]")).to_contain_text("步骤与话术")
    finally:
        context.close()


def test_playbook_filters_update_in_place(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/playbook")
    _mark_document(page)
    total = page.locator("[data-testid=scenarios] > li").count()
    page.select_option("select[name=topic]", "fraud-risk")
    expect(page).to_have_url(f"{server.url}/playbook?q=&topic=fraud-risk&place=")
    tiles = page.locator("[data-testid=scenarios] > li")
    expect(tiles.first).to_contain_text("疑似诈骗")
    assert 0 < tiles.count() < total
    assert _still_same_document(page)


def test_touch_targets_are_large(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/")
    for selector in ("[data-testid=say-customer]", "[data-testid=say-staff]", ".tabs a"):
        box = page.locator(selector).first.bounding_box()
        assert box is not None and box["height"] >= 44, selector
    size = page.locator("body").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 17


def test_everything_loads_offline(browser: Browser, server: Server) -> None:
    """Pages and the API docs fetch nothing but the server itself (no CDN, no fonts, no beacons)."""
    context = browser.new_context(viewport=TABLET)
    outside: list[str] = []

    def only_local(route: Route) -> None:
        if route.request.url.startswith(server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    failed: list[str] = []
    # A navigation cancels what the previous page still had in flight (ERR_ABORTED): not a failure.
    page.on(
        "requestfailed",
        lambda request: (
            None if request.failure == "net::ERR_ABORTED" else failed.append(request.url)
        ),
    )
    try:
        for path in (
            "/",
            "/check",
            "/playbook",
            "/playbook/no-valid-id.forgot-id-card",
            "/sessions",
        ):
            page.goto(f"{server.url}{path}")
            expect(page.locator("main")).to_be_visible()
        page.goto(f"{server.url}/docs")
        expect(page.locator(".swagger-ui .title")).to_contain_text("calmdesk API")
        expect(page.locator(".opblock-tag").first).to_be_visible()
        assert page.evaluate("typeof htmx") == "undefined"  # the docs page does not load htmx
        page.goto(f"{server.url}/")
        assert page.evaluate("typeof htmx") == "object"
    finally:
        context.close()
    assert outside == [] and failed == []
    assert errors == []  # no script error, no Content-Security-Policy violation
