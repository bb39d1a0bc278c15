"""Jinja2 pages in either script, with every piece of user text escaped.

Templates are written in simplified Chinese. For traditional pages the template *source* is
converted with :func:`~calmdesk.text.normalize.to_script` once, when it is loaded (markup and
template code are ASCII and pass through unchanged), so the fixed Chinese text of a page costs
nothing per request. Chinese that comes from data (labels, playbook, guidance) is converted by
the ``zh`` filter or by the services' own ``script`` argument; what a user typed is shown
exactly as typed. Autoescaping is on for every template.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from calmdesk.text.normalize import Script, to_script

__all__ = ["SCRIPT_COOKIE", "TEMPLATES_DIR", "Templates", "page_script"]

TEMPLATES_DIR = Path(__file__).parent / "templates"
SCRIPT_COOKIE = "calmdesk_script"
_ONE_YEAR = 365 * 24 * 3600
#: Pages load scripts, styles and images from this server only and run no inline script, so
#: even a missed escape could not run injected code. htmx adds one inline <style>.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class _ScriptLoader(jinja2.FileSystemLoader):
    """Loads a template with its Chinese text already in the page's script."""

    def __init__(self, script: Script) -> None:
        super().__init__(TEMPLATES_DIR)
        self.script = script

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        return to_script(source, self.script), filename, uptodate


def page_script(request: Request) -> tuple[Script, bool]:
    """The script a page is shown in, and whether the request chose it (``?script=``)."""
    chosen = request.query_params.get("script")
    if chosen in {s.value for s in Script}:
        return Script(chosen), True
    saved = request.cookies.get(SCRIPT_COOKIE)
    return (Script(saved) if saved in {s.value for s in Script} else Script.HANS), False


class Templates:
    """One Jinja environment per script; ``render`` picks the request's."""

    def __init__(self, globals_for: Callable[[Script], Mapping[str, Any]]) -> None:
        self._envs = {script: self._environment(script, globals_for(script)) for script in Script}

    @staticmethod
    def _environment(script: Script, extra: Mapping[str, Any]) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=_ScriptLoader(script),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
            auto_reload=False,
        )
        env.filters["zh"] = lambda text: to_script(str(text), script) if text else ""
        env.globals.update(extra)
        env.globals["script"] = script.value
        return env

    def warm_up(self) -> None:
        """Compile every template now so no visitor waits for it."""
        for env in self._envs.values():
            for name in env.list_templates(extensions=["html"]):
                env.get_template(name)

    def render(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any],
        *,
        status_code: int = 200,
    ) -> HTMLResponse:
        script, chosen = page_script(request)
        template = self._envs[script].get_template(name)
        other = Script.HANS if script is Script.HANT else Script.HANT
        query = request.query_params.multi_items()
        switch = urlencode([(k, v) for k, v in query if k != "script"] + [("script", other.value)])
        html = template.render(
            {
                "request": request,
                "path": request.url.path,
                "switch_href": f"{request.url.path}?{switch}",
                **context,
            }
        )
        response = HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
        if chosen:
            response.set_cookie(
                SCRIPT_COOKIE, script.value, max_age=_ONE_YEAR, httponly=True, samesite="lax"
            )
        return response
