"""Public pages for each service: findable and shareable (schema.org GovernmentService JSON-LD, Open Graph and
Twitter card tags, a sitemap), in German and English (`?lang=en`, else the Accept-Language header)."""

import json
from datetime import datetime
from importlib import resources
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from civicflow.intake.domain.catalogue import Catalogue, ServiceSpec
from civicflow.intake.domain.experience import device_of
from civicflow.intake.domain.messages import Language, preferred_language
from civicflow.intake.web.i18n import words
from civicflow.intake.web.recorder import Recorder
from civicflow.shared.events.experience import ExperienceKind

# Pages load nothing from elsewhere and run no script; styles come from this site only.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# Our own pages learn where a visitor came from on this site (so that a form post carries its Origin, which the
# CSRF check compares); no other site learns anything, not even a status link's address (its token).
REFERRER_POLICY = "same-origin"
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "public, max-age=300",
    "Referrer-Policy": REFERRER_POLICY,
}
# A page with the citizen's answers or a status link on it is kept by no cache (RFC 9111 §5.2.2.5). The form's
# pages may run this site's one script (static/journey.js, an enhancement) and send its beacon here.
FORM_CONTENT_SECURITY_POLICY = f"{CONTENT_SECURITY_POLICY}; script-src 'self'; connect-src 'self'"
FORM_HEADERS = {
    "Content-Security-Policy": FORM_CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-store",
    "Referrer-Policy": REFERRER_POLICY,
}
SITEMAP_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'


class Pages:
    """Renders the pages' templates with what every page needs (language, its words, the canonical address)."""

    def __init__(self, public_url: str) -> None:
        directory = resources.files("civicflow.intake.web").joinpath("templates")
        self.templates = Jinja2Templates(directory=str(directory))
        self.templates.env.filters["local_time"] = local_time
        self.templates.env.filters["local_date"] = local_date
        self.base = public_url.rstrip("/")

    def render(
        self,
        request: Request,
        template: str,
        language: Language,
        path: str,
        context: dict[str, Any],
        headers: dict[str, str] = FORM_HEADERS,
    ) -> HTMLResponse:
        full = _common(language, self.base, path) | context
        return self.templates.TemplateResponse(request, template, full, headers=headers)

    def problem(self, request: Request, language: Language, status: int, reason: str) -> HTMLResponse:
        """A page in place of an RFC 9457 problem: what happened and what to do, in plain language."""
        response = self.render(request, "problem.html", language, request.url.path, {"reason": reason})
        response.status_code = status
        return response

    def not_found(self, request: Request, language: Language) -> HTMLResponse:
        return self.problem(request, language, 404, "not_found")


def pages_router(catalogue: Catalogue, pages: Pages, experience: Recorder) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    base = pages.base

    @router.get("/services", response_class=HTMLResponse)
    async def index(request: Request, lang: str | None = None) -> HTMLResponse:
        language = language_of(request, lang)
        context = {"services": sorted(catalogue.services.values(), key=_no_identity_first)}
        return pages.render(request, "services.html", language, "/services", context, PAGE_HEADERS)

    @router.get("/services/{service_id}", response_class=HTMLResponse)
    async def service(request: Request, service_id: str, lang: str | None = None) -> HTMLResponse:
        spec = catalogue.get(service_id)
        language = language_of(request, lang)
        if spec is None:
            return pages.not_found(request, language)
        try:  # a view is worth counting, not worth failing the page for
            device = device_of(request.headers.get("user-agent"))
            await experience.record(ExperienceKind.SERVICE_VIEWED, spec.service_id, uuid4(), language, device)
        except ValueError:
            pass
        context = {
            "service": spec,
            "json_ld": Markup(_json_ld(spec, language, base)),  # noqa: S704 - our JSON, escaped for a script element
        }
        return pages.render(request, "service.html", language, f"/services/{service_id}", context, PAGE_HEADERS)

    @router.get("/sitemap.xml")
    async def sitemap() -> Response:
        paths = ["/services", *(f"/services/{key}" for key in catalogue.services)]
        urls = "".join(
            f"<url><loc>{base}{path}?lang={language}</loc></url>" for path in paths for language in ("de", "en")
        )
        return Response(f"{SITEMAP_HEAD}{urls}</urlset>\n", media_type="application/xml")

    return router


# The citizen reads German time, as the agencies' offices keep it (CET/CEST).
GERMAN_TIME = ZoneInfo("Europe/Berlin")


def local_time(moment: datetime) -> str:
    return moment.astimezone(GERMAN_TIME).strftime("%d.%m.%Y %H:%M")


def local_date(moment: datetime) -> str:
    return moment.astimezone(GERMAN_TIME).strftime("%d.%m.%Y")


def _no_identity_first(spec: ServiceSpec) -> tuple[bool, str]:
    # What the page can file today comes first (signing in comes with the identity issue).
    return spec.minimum_level_of_assurance != "none", spec.service_id


def language_of(request: Request, lang: str | None) -> Language:
    if lang in ("de", "en"):
        return "de" if lang == "de" else "en"
    return preferred_language(request.headers.get("accept-language"))


def _common(language: Language, base: str, path: str) -> dict[str, Any]:
    other: Language = "en" if language == "de" else "de"
    joiner = "&" if "?" in path else "?"
    return {
        "lang": language,
        "t": words(language),
        "url": f"{base}{path}{joiner}lang={language}",
        "other_url": f"{path}{joiner}lang={other}",
        "other_lang": other,
    }


def _json_ld(spec: ServiceSpec, language: Language, base: str) -> str:
    document = {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "name": spec.title.in_(language),
        "description": spec.description.in_(language),
        "identifier": spec.service_id,
        "url": f"{base}/services/{spec.service_id}?lang={language}",
        "availableLanguage": ["de", "en"],
        "areaServed": {"@type": "Country", "name": "Deutschland" if language == "de" else "Germany"},
        "serviceOperator": {
            "@type": "GovernmentOrganization",
            "name": words(language)[f"authority_{spec.administrative_level}"],
        },
    }
    # In a <script> element "</" would end it: JSON allows "<" escaped as \\u003c.
    return json.dumps(document, ensure_ascii=False).replace("<", "\\u003c")
