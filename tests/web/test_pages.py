"""The four pages as plain HTML forms (no JavaScript), and as htmx fragments."""

from __future__ import annotations

import logging
import re

import pytest
from tests.web.conftest import Client

from calmdesk.engine import Engine
from calmdesk.playbook.model import Topic
from calmdesk.web.pages import SESSION_COOKIE
from calmdesk.web.templating import SCRIPT_COOKIE

HTMX = {"HX-Request": "true"}
PAGES = ["/", "/check", "/playbook", "/playbook/no-valid-id.forgot-id-card", "/sessions"]
XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def _say(client: Client, speaker: str, text: str, **headers: str) -> str:
    session = client.cookies.get(SESSION_COOKIE, "")
    r = client.post(
        "/assist/turn", data={"session": session, "speaker": speaker, "text": text}, headers=headers
    )
    assert r.status_code in (200, 303), r.text
    return r.text


@pytest.mark.parametrize("path", PAGES)
def test_pages_render(client: Client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assert '<html lang="zh-Hans">' in html and "现场助手" in html and "场景手册" in html
    assert 'name="viewport"' in html and "/static/htmx.min.js" in html
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "<script>" not in html  # no inline script: the policy allows none


@pytest.mark.parametrize("path", [*PAGES, "/docs"])
def test_no_cdn_anywhere(client: Client, path: str) -> None:
    html = client.get(path).text
    external = re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert external == [], path
    for asset in re.findall(r"""(?:src|href)=["'](/static/[^"']+)""", html):
        assert client.get(asset).status_code == 200, asset


def test_static_files(client: Client) -> None:
    js = client.get("/static/htmx.min.js")
    assert js.status_code == 200 and "htmx" in js.text[:200]
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/static/swagger-ui/swagger-ui-bundle.js").status_code == 200


# -- 现场助手 --------------------------------------------------------------------------------


def test_assistant_without_javascript(client: Client) -> None:
    r = client.post(
        "/assist/turn",
        data={"speaker": "customer", "text": "我的卡凭什么不让查？你们就是故意刁难人！"},
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/")
    sid = client.cookies.get(SESSION_COOKIE)
    assert sid
    page = client.get("/").text
    assert 'data-testid="anger" data-anger="2"' in page or 'data-anger="3"' in page
    assert 'data-testid="scenario"' in page and 'data-testid="suggestions"' in page
    assert "我说了这句" in page and f"/sessions/{sid}" in page

    _say(client, "staff", "没有身份证不能查，规定就是这样。")
    page = client.get("/").text
    assert 'data-code="premature-explanation"' in page and 'data-code="refusal-only"' in page
    detail = client.get(f"/api/v1/sessions/{sid}").json()
    assert detail["session"]["turn_count"] == 2


def test_assistant_with_htmx_gets_a_fragment(client: Client) -> None:
    html = _say(client, "customer", "你们今天不给我办，我就去找记者曝光！", **HTMX)
    assert "<html" not in html and 'data-anger="3"' in html
    assert client.cookies.get(SESSION_COOKIE)


def test_draft_is_checked_not_stored(client: Client) -> None:
    _say(client, "customer", "我的卡凭什么不让查？你们就是故意刁难人！")
    sid = client.cookies.get(SESSION_COOKIE)
    data = {"session": sid, "text": "没有身份证不能查，规定就是这样。"}
    fragment = client.post("/assist/draft", data=data, headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'data-testid="draft"' in fragment.text and 'data-code="refusal-only"' in fragment.text
    assert 'class="mark-bad"' in fragment.text and "更好的说法" in fragment.text
    full = client.post("/assist/draft", data=data)
    assert full.status_code == 200 and "<html" in full.text and 'data-testid="draft"' in full.text
    assert client.get(f"/api/v1/sessions/{sid}").json()["session"]["turn_count"] == 1


def test_draft_before_any_turn(client: Client) -> None:
    r = client.post("/assist/draft", data={"text": "不行，规定就是这样"}, headers=HTMX)
    assert r.status_code == 200 and 'data-code="refusal-only"' in r.text
    assert client.cookies.get(SESSION_COOKIE) is None


@pytest.mark.parametrize("text", ["", "   ", "好" * 2001, "a\x00b"])
def test_assistant_bad_input(client: Client, text: str) -> None:
    r = client.post("/assist/turn", data={"speaker": "customer", "text": text})
    assert r.status_code == 400 and 'data-testid="form-error"' in r.text and "<html" in r.text
    htmx = client.post("/assist/turn", data={"speaker": "customer", "text": text}, headers=HTMX)
    assert htmx.status_code == 400 and "<html" not in htmx.text and "form-error" in htmx.text
    draft = client.post("/assist/draft", data={"text": text}, headers=HTMX)
    assert draft.status_code == 400 and "form-error" in draft.text
    assert client.get("/api/v1/sessions").json() == []  # no empty session was created


def test_bad_speaker(client: Client) -> None:
    r = client.post("/assist/turn", data={"speaker": "boss", "text": "你好"})
    assert r.status_code == 400 and "speaker" in r.text


def test_new_encounter_forgets_the_session(client: Client) -> None:
    _say(client, "customer", "我的卡被吞了")
    assert client.cookies.get(SESSION_COOKIE)
    r = client.post("/assist/new")
    assert r.status_code == 303
    assert client.cookies.get(SESSION_COOKIE) is None
    assert 'data-testid="anger"' not in client.get("/").text


def test_continue_a_stored_session(client: Client) -> None:
    _say(client, "customer", "我的卡被吞了")
    sid = client.cookies.get(SESSION_COOKIE)
    client.post("/assist/new")
    page = client.get(f"/?session={sid}").text
    assert "我的卡被吞了" in page and client.cookies.get(SESSION_COOKIE) == sid


def test_stale_session_cookie_is_dropped(client: Client) -> None:
    r = client.get("/", headers={"cookie": f"{SESSION_COOKIE}=000000000000"})
    assert r.status_code == 200 and 'data-testid="anger"' not in r.text
    assert f'{SESSION_COOKIE}=""' in r.headers["set-cookie"]  # deleted


def test_user_text_is_escaped(client: Client) -> None:
    _say(client, "customer", XSS)
    page = client.get("/").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    checked = client.post("/check", data={"text": XSS}).text
    assert "<script>alert" not in checked and "&lt;script&gt;" in checked
    searched = client.get("/playbook", params={"q": XSS}).text
    assert "<script>alert" not in searched and "&lt;script&gt;" in searched


# -- 话术检查 --------------------------------------------------------------------------------


def test_checker(client: Client, engine: Engine) -> None:
    r = client.post("/check", data={"text": "不行，规定就是这样"})
    html = r.text
    assert r.status_code == 200 and 'data-testid="check-result"' in html
    assert '<mark class="mark-bad" data-code="refusal-only"' in html
    assert "原则4" in html and "更好的说法" in html
    better = engine.check_reply("不行，规定就是这样").better
    assert better and better in html


def test_checker_fragment_with_topic(client: Client) -> None:
    data = {"text": "没带身份证办不了", "topic": "no-valid-id", "situation": ""}
    r = client.post("/check", data=data, headers=HTMX)
    assert r.status_code == 200 and "<html" not in r.text and 'data-testid="check-result"' in r.text


def test_checker_clean_reply(client: Client) -> None:
    r = client.post("/check", data={"text": "您好，让您久等了，我马上帮您查。"})
    assert "没有发现问题" in r.text


@pytest.mark.parametrize(
    ("data", "message"),
    [({"text": ""}, "空"), ({"text": "不行", "topic": "nope"}, "类别")],
)
def test_checker_bad_input(client: Client, data: dict[str, str], message: str) -> None:
    r = client.post("/check", data=data)
    assert r.status_code == 400 and 'data-testid="form-error"' in r.text and message in r.text


# -- 场景手册 --------------------------------------------------------------------------------


def test_playbook_browse_and_filter(client: Client, engine: Engine) -> None:
    html = client.get("/playbook").text
    assert html.count('class="card scenario-tile"') == len(engine.playbook)
    fraud = client.get("/playbook", params={"topic": "fraud-risk"}).text
    expected = len(engine.playbook.by_topic(Topic.FRAUD_RISK))
    assert fraud.count('class="card scenario-tile"') == expected
    counter = client.get("/playbook", params={"place": "counter"}).text
    assert 0 < counter.count('class="card scenario-tile"') < len(engine.playbook)


def test_playbook_search(client: Client) -> None:
    html = client.get("/playbook", params={"q": "客户没带身份证要查流水"}).text
    first = html.index('href="/playbook/no-valid-id.forgot-id-card"')
    assert first < html.index('class="card scenario-tile"', first + 1)


def test_playbook_fragment(client: Client) -> None:
    r = client.get(
        "/playbook", params={"topic": "card-retained"}, headers=HTMX | {"HX-Target": "results"}
    )
    assert "<html" not in r.text and "scenario-tile" in r.text


def test_playbook_bad_filter(client: Client) -> None:
    r = client.get("/playbook", params={"topic": "nope"})
    assert r.status_code == 400 and "未知的类别" in r.text


def test_scenario_page(client: Client) -> None:
    html = client.get("/playbook/no-valid-id.forgot-id-card").text
    for heading in ("步骤与话术", "不要", "何时升级", "合规与安全"):
        assert heading in html
    assert "客户没带身份证要查询或办理业务" in html


def test_unknown_pages(client: Client) -> None:
    for path in ("/playbook/nope", "/sessions/000000000000", "/nothing"):
        r = client.get(path)
        assert r.status_code == 404 and "<html" in r.text and "没有找到" in r.text, path


# -- 会话记录 --------------------------------------------------------------------------------


def test_sessions_pages(client: Client) -> None:
    assert "还没有保存的会话" in client.get("/sessions").text
    _say(client, "customer", "我的卡凭什么不让查？你们就是故意刁难人！")
    _say(client, "staff", "没有身份证不能查，规定就是这样。")
    sid = client.cookies.get(SESSION_COOKIE)
    listing = client.get("/sessions").text
    assert f'href="/sessions/{sid}"' in listing
    detail = client.get(f"/sessions/{sid}").text
    assert "#1 客户" in detail and "#2 员工" in detail
    assert 'data-code="premature-explanation"' in detail and f"/?session={sid}" in detail


def test_sessions_paging(client: Client) -> None:
    for _ in range(3):
        client.post("/api/v1/sessions", json={})
    assert "更早的" not in client.get("/sessions").text
    assert client.get("/sessions", params={"offset": -1}).status_code == 400


# -- 简体 / 繁體 -----------------------------------------------------------------------------


def test_traditional_switch(client: Client) -> None:
    page = client.get("/", params={"script": "hant"})
    assert client.cookies.get(SCRIPT_COOKIE) == "hant"
    assert '<html lang="zh-Hant">' in page.text and "現場助手" in page.text
    assert "简体" in page.text  # the switch back, in its own script
    _say(client, "customer", "我的卡凭什么不让查？你们就是故意刁难人！")
    again = client.get("/").text
    assert "場景" in again and "不让查" in again and "不讓查" not in again  # as typed
    assert "話術檢查" in client.get("/check").text
    client.get("/", params={"script": "hans"})
    assert "现场助手" in client.get("/").text


def test_switch_keeps_the_query(client: Client) -> None:
    html = client.get("/playbook", params={"topic": "card-retained"}).text
    assert 'href="/playbook?topic=card-retained&amp;script=hant"' in html


def test_form_errors_are_logged_by_code(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="calmdesk"):
        client.post("/assist/turn", data={"speaker": "customer", "text": "  "})
        client.post("/check", data={"text": "王先生13812345678" + "好" * 2000})
    assert "E101" in caplog.text and "E102" in caplog.text
    assert "13812345678" not in caplog.text


def test_turn_for_a_session_long_gone_starts_a_new_one(client: Client) -> None:
    r = client.post(
        "/assist/turn", data={"session": "000000000000", "speaker": "customer", "text": "你好"}
    )
    assert r.status_code == 303
    sid = client.cookies.get(SESSION_COOKIE)
    assert sid and sid != "000000000000"
    assert client.get(f"/api/v1/sessions/{sid}").json()["session"]["turn_count"] == 1
