"""Project middleware: the headers Django does not set, and a size limit on every request body
(the request behind a state change is kept by core.requests)."""

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.urls import Resolver404, resolve
from django.utils.translation import gettext


class CompressTextMiddleware(GZipMiddleware):
    """gzip for text only (pages, JSON, CSS, scripts, SVG): images and sound are compressed
    already. Django's GZipMiddleware pads every answer with random bytes against BREACH
    ("Heal The Breach"), and the CSRF token in a page is masked anew on each request."""

    def process_response(self, request, response):
        kind = response.get("Content-Type", "").split(";")[0].strip().lower()
        if kind not in settings.COMPRESSED_CONTENT_TYPES:
            return response
        return super().process_response(request, response)


class PermissionsPolicyMiddleware:
    """Permissions-Policy: the browser features no page of ours uses are switched off."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class RequestSizeLimitMiddleware:
    """Refuse with 413 a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE before anything reads it.

    Django checks that limit only when a form body is read through request.POST or .body; DRF's
    parsers read the stream directly, so a huge JSON body would otherwise be parsed whole.
    File uploads (multipart) have their own limits and pass.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        content_type = request.META.get("CONTENT_TYPE", "")
        if limit is not None and not content_type.startswith("multipart/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                return JsonResponse(
                    {"detail": gettext("The request body is too large.")}, status=413
                )
        return self.get_response(request)


class WebhookFastPathMiddleware:
    """Serve the provider webhooks (signed machine-to-machine posts) straight after the security,
    size and host checks, without the browser's middleware: sessions, users, CSRF (they are exempt,
    being signed), messages, language, content policy and lockout have nothing to do with
    Twilio, and skipping them is a good share of a webhook's cost under a surge of alerts."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = settings.WEBHOOK_PATH_PREFIX

    def __call__(self, request: HttpRequest):
        if not request.path_info.startswith(self.prefix):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)  # the full stack answers the 404
        request.resolver_match = match
        # CommonMiddleware's host check, skipped with it: a request for another host is a 400
        # (DisallowedHost) and never reaches the view, signed or not.
        request.get_host()
        response = match.func(request, *match.args, **match.kwargs)
        # What CommonMiddleware, skipped here, does: with its length known, the server sends
        # the answer as it is instead of in chunks.
        if not response.streaming and not response.has_header("Content-Length"):
            response.headers["Content-Length"] = str(len(response.content))
        return response
