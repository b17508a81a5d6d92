"""Public pages for each service: findable and shareable (schema.org GovernmentService JSON-LD, Open Graph and
Twitter card tags, a sitemap), in German and English (`?lang=en`, else the Accept-Language header)."""

import json
from importlib import resources
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from civicflow.intake.domain.catalogue import Catalogue, ServiceSpec
from civicflow.intake.domain.messages import Language, preferred_language
from civicflow.intake.entrypoints.problems import Problem
from civicflow.intake.web.i18n import words

# Pages load nothing from elsewhere and run no script; styles come from this site only.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Cache-Control": "public, max-age=300",
}
SITEMAP_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
UNKNOWN = Problem(404, "not-found", "Not found", "No service with this key is in the catalogue.")


def pages_router(catalogue: Catalogue, public_url: str) -> APIRouter:
    templates = Jinja2Templates(directory=str(resources.files("civicflow.intake.web").joinpath("templates")))
    router = APIRouter(include_in_schema=False)
    base = public_url.rstrip("/")

    @router.get("/services", response_class=HTMLResponse)
    async def index(request: Request, lang: str | None = None) -> HTMLResponse:
        language = _language(request, lang)
        context = _common(request, language, base, "/services") | {"services": list(catalogue.services.values())}
        return templates.TemplateResponse(request, "services.html", context, headers=PAGE_HEADERS)

    @router.get("/services/{service_id}", response_class=HTMLResponse)
    async def service(request: Request, service_id: str, lang: str | None = None) -> HTMLResponse:
        spec = catalogue.get(service_id)
        if spec is None:
            raise UNKNOWN
        language = _language(request, lang)
        context = _common(request, language, base, f"/services/{service_id}") | {
            "service": spec,
            "json_ld": Markup(_json_ld(spec, language, base)),  # noqa: S704 - our JSON, escaped for a script element
        }
        return templates.TemplateResponse(request, "service.html", context, headers=PAGE_HEADERS)

    @router.get("/sitemap.xml")
    async def sitemap() -> Response:
        paths = ["/services", *(f"/services/{key}" for key in catalogue.services)]
        urls = "".join(
            f"<url><loc>{base}{path}?lang={language}</loc></url>" for path in paths for language in ("de", "en")
        )
        return Response(f"{SITEMAP_HEAD}{urls}</urlset>\n", media_type="application/xml")

    return router


def _language(request: Request, lang: str | None) -> Language:
    if lang in ("de", "en"):
        return "de" if lang == "de" else "en"
    return preferred_language(request.headers.get("accept-language"))


def _common(request: Request, language: Language, base: str, path: str) -> dict[str, Any]:
    other: Language = "en" if language == "de" else "de"
    return {
        "lang": language,
        "t": words(language),
        "url": f"{base}{path}?lang={language}",
        "other_url": f"{path}?lang={other}",
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
