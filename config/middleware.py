"""Security headers Django has no setting for."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# One small local stylesheet and script; no inline script, no third-party origins.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            policy = CONTENT_SECURITY_POLICY
            nonce = getattr(request, "csp_style_nonce", "")
            if nonce:  # a page that carries its own <style nonce=...> (the digest in a browser)
                policy = policy.replace("style-src 'self'", f"style-src 'self' 'nonce-{nonce}'")
            response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", "interest-cohort=()")
        return response
