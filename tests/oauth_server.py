"""A real OAuth 2.0 authorization server on 127.0.0.1 for the tests, built
with Authlib's server classes, over TLS with a trustme certificate.

It stands in for Microsoft's identity platform (per-tenant OpenID discovery,
device code, client credentials, refresh tokens that rotate) and Google's
token endpoint (installed-app authorization code with PKCE, service-account
JWT bearer).  Its failures read like theirs (AADSTS codes), so the app's
hints can be tested.  The SMTP side (`xoauth2_smtp_server`) accepts XOAUTH2
only for unexpired access tokens this server issued, for their own mailbox.
"""

from __future__ import annotations

import base64
import contextlib
import json
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from aiosmtpd.smtp import AuthResult
from authlib.common.security import generate_token
from authlib.jose import JsonWebKey, jwt
from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    OAuth2Payload,
    OAuth2Request,
    TokenMixin,
    grants,
)
from authlib.oauth2.rfc6749.errors import InvalidClientError, InvalidGrantError
from authlib.oauth2.rfc7523 import JWTBearerGrant
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc8628 import (
    DeviceAuthorizationEndpoint,
    DeviceCodeGrant,
    DeviceCredentialDict,
)
from smtp_servers import Mailbox, RecordingController, RecordingSMTP, free_port
from support import PATIENCE

TENANT = "contoso.onmicrosoft.com"
SIGNING_KEY = b"test-id-token-key-" + b"0" * 14


@dataclass
class Client(ClientMixin):
    client_id: str
    secret: str | None = None
    secret_expired: bool = False
    redirect_uris: tuple[str, ...] = ()
    public_key: object = None  # a service account's

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope):
        return scope or ""

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return self.secret is not None and client_secret == self.secret and not self.secret_expired

    def check_endpoint_auth_method(self, method, endpoint):
        return method == "none" if self.secret is None else method in ("client_secret_post", "client_secret_basic")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return True


@dataclass
class Token(TokenMixin):
    client_id: str
    user: str
    scope: str
    access_token: str
    expires_at: float
    refresh_token: str | None = None
    revoked: bool = False

    def check_client(self, client):
        return client.get_client_id() == self.client_id

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return int(self.expires_at - time.time())

    def is_expired(self):
        return time.time() >= self.expires_at

    def is_revoked(self):
        return self.revoked

    def get_user(self):
        return self.user


@dataclass
class Store:
    """Everything the server knows; tests change it to make things fail."""

    base: str = ""
    clients: dict[str, Client] = field(default_factory=dict)
    tokens: list[Token] = field(default_factory=list)
    devices: dict[str, dict] = field(default_factory=dict)
    approvals: dict[str, tuple[str, bool]] = field(default_factory=dict)
    codes: dict[str, dict] = field(default_factory=dict)
    #: The mailbox the browser "signs in" as on the authorization endpoint.
    browser_user: str = "ann@contoso.example"
    access_lifetime: int = 3600
    #: Mailboxes whose tenant has SMTP AUTH turned off (5.7.139).
    smtp_auth_disabled: set[str] = field(default_factory=set)
    #: Service accounts whose domain-wide delegation is not authorised.
    undelegated: set[str] = field(default_factory=set)
    grant_counts: dict[str, int] = field(default_factory=dict)
    #: The CA file clients verify the server with.
    ca: str = ""

    def access(self, token: str) -> Token | None:
        return next((t for t in self.tokens if t.access_token == token), None)

    def approve(self, user_code: str, user: str, approved: bool = True) -> None:
        """The admin enters the code on the verification page and signs in."""
        self.approvals[user_code] = (user, approved)

    def pending_user_codes(self) -> list[str]:
        return [d["user_code"] for d in self.devices.values() if d["user_code"] not in self.approvals]

    def revoke_refresh_tokens(self, user: str) -> None:
        for token in self.tokens:
            if token.user == user:
                token.revoked = True

    def live_refresh_tokens(self) -> list[str]:
        return [t.refresh_token for t in self.tokens if t.refresh_token and not t.revoked]


def _id_token(user: str, client_id: str, issuer: str) -> str:
    now = int(time.time())
    claims = {"iss": issuer, "aud": client_id, "sub": user, "preferred_username": user, "iat": now,
              "exp": now + 3600, "tid": TENANT, "oid": user}
    return jwt.encode({"alg": "HS256"}, claims, SIGNING_KEY).decode()


class _Payload(OAuth2Payload):
    def __init__(self, form: dict[str, str]) -> None:
        self._data = form

    @property
    def data(self):
        return self._data

    @property
    def datalist(self):
        return {key: [value] for key, value in self._data.items()}


class _Request(OAuth2Request):
    def __init__(self, method: str, uri: str, headers: dict, form: dict[str, str]) -> None:
        super().__init__(method, uri, headers=headers)
        self.payload = _Payload(form)
        self._form = form

    @property
    def args(self):
        return {k: v for k, v in self._form.items()}

    @property
    def form(self):
        return self._form


class Server(AuthorizationServer):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.register_token_generator("default", self._generate)

    def query_client(self, client_id):
        return self.store.clients.get(client_id)

    def authenticate_client(self, request, methods, endpoint="token"):
        client = self.store.clients.get(request.payload.data.get("client_id", ""))
        if client is not None and client.secret_expired:
            raise InvalidClientError(description=(
                f"AADSTS7000222: The provided client secret keys for app '{client.client_id}' are expired."))
        return super().authenticate_client(request, methods, endpoint)

    def _generate(self, grant_type, client, user=None, scope=None, expires_in=None, include_refresh_token=True):
        token = {"token_type": "Bearer", "access_token": generate_token(40),
                 "expires_in": expires_in or self.store.access_lifetime, "scope": scope or ""}
        if include_refresh_token and grant_type in (
            "urn:ietf:params:oauth:grant-type:device_code", "refresh_token", "authorization_code"
        ):
            token["refresh_token"] = generate_token(48)
            token["refresh_token_expires_in"] = 90 * 86400
        if user and grant_type in ("urn:ietf:params:oauth:grant-type:device_code", "refresh_token"):
            token["id_token"] = _id_token(user, client.client_id, f"{self.store.base}/{TENANT}/v2.0")
        return token

    def save_token(self, token, request):
        user = request.user or request.payload.data.get("client_id", "")
        self.store.grant_counts[request.payload.grant_type] = self.store.grant_counts.get(
            request.payload.grant_type, 0) + 1
        self.store.tokens.append(Token(request.client.client_id, user, token.get("scope", ""),
                                       token["access_token"], time.time() + token["expires_in"],
                                       token.get("refresh_token")))

    def create_oauth2_request(self, request):
        return request

    def handle_response(self, status, body, headers):
        return status, body, headers

    def send_signal(self, name, *args, **kwargs):
        pass


class ClientCredentials(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_post", "client_secret_basic"]


class RotatingRefresh(grants.RefreshTokenGrant):
    """Every refresh gives a new refresh token and revokes the old one."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["none", "client_secret_post", "client_secret_basic"]
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token):
        token = next((t for t in self.server.store.tokens if t.refresh_token == refresh_token), None)
        if token is None or token.revoked:
            raise InvalidGrantError(description=(
                "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is "
                "needed."))
        return token

    def authenticate_user(self, refresh_token):
        return refresh_token.user

    def revoke_old_credential(self, refresh_token):
        refresh_token.revoked = True


class DeviceCode(DeviceCodeGrant):
    def query_device_credential(self, device_code):
        data = self.server.store.devices.get(device_code)
        return DeviceCredentialDict(data) if data else None

    def query_user_grant(self, user_code):
        return self.server.store.approvals.get(user_code)

    def should_slow_down(self, credential):
        return False


class DeviceEndpoint(DeviceAuthorizationEndpoint):
    INTERVAL = 1
    EXPIRES_IN = 120
    CLIENT_AUTH_METHODS = ["none"]

    def get_verification_uri(self):
        return f"{self.server.store.base}/devicelogin"

    def save_device_credential(self, client_id, scope, data):
        self.server.store.devices[data["device_code"]] = {
            **data, "client_id": client_id, "scope": scope, "expires_at": int(time.time()) + self.EXPIRES_IN}


class AuthorizationCode(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_post", "client_secret_basic", "none"]

    def save_authorization_code(self, code, request):
        self.server.store.codes[code] = {"client_id": request.client.client_id, "user": request.user,
                                         "redirect_uri": request.payload.redirect_uri,
                                         "scope": request.payload.scope,
                                         "challenge": request.payload.data.get("code_challenge"),
                                         "method": request.payload.data.get("code_challenge_method")}

    def query_authorization_code(self, code, client):
        data = self.server.store.codes.get(code)
        if data and data["client_id"] == client.client_id:
            return _Code(code, data)
        return None

    def delete_authorization_code(self, authorization_code):
        self.server.store.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code):
        return authorization_code.data["user"]


@dataclass
class _Code:
    code: str
    data: dict

    def get_redirect_uri(self):
        return self.data["redirect_uri"]

    def get_scope(self):
        return self.data["scope"]

    @property
    def code_challenge(self):
        return self.data["challenge"]

    @property
    def code_challenge_method(self):
        return self.data["method"]


class ServiceAccountGrant(JWTBearerGrant):
    def process_assertion_claims(self, assertion):
        """Refusals in Google's words: a key it does not hold (deleted,
        disabled, another's) and an account it does not know."""
        from joserfc.errors import BadSignatureError  # what Authlib verifies the JWT with

        try:
            return super().process_assertion_claims(assertion)
        except InvalidGrantError as error:
            if isinstance(error.__cause__, BadSignatureError):
                raise InvalidGrantError(description="Invalid JWT Signature.") from None
            if error.description == "The client does not exist on this server.":
                raise InvalidGrantError(description="Invalid grant: account not found") from None
            raise

    def resolve_issuer_client(self, issuer):
        return self.server.store.clients.get(issuer)

    def resolve_client_key(self, client, headers, payload):
        return client.public_key

    def resolve_client_public_key(self, client):
        return client.public_key

    def authenticate_user(self, subject):
        return subject

    def has_granted_permission(self, client, user):
        return client.client_id not in self.server.store.undelegated

    def get_audiences(self):
        # google-auth always names Google's own token endpoint as the audience, as Google expects.
        return [f"{self.server.store.base}/token", "https://oauth2.googleapis.com/token"]


def _handler(server: Server):
    store = server.store

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def _send(self, status: int, body: dict | str, headers=()) -> None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _request(self, form: dict[str, str]) -> _Request:
            headers = {k: v for k, v in self.headers.items()}
            return _Request(self.command, f"{store.base}{self.path}", headers, form)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            segments = parts.path.strip("/").split("/")
            if parts.path.endswith("/v2.0/.well-known/openid-configuration"):
                tenant = segments[0]
                if tenant not in (TENANT, "organizations"):
                    return self._send(400, {"error": "invalid_tenant", "error_codes": [90002],
                                            "error_description": f"AADSTS90002: Tenant '{tenant}' not found."})
                root = f"{store.base}/{tenant}"
                return self._send(200, {
                    "issuer": f"{root}/v2.0", "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{root}/oauth2/v2.0/token",
                    "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode"})
            if parts.path == "/o/oauth2/auth":  # Google's sign-in page: the browser user agrees
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                request = self._request(query)
                request.user = store.browser_user
                status, body, headers = server.create_authorization_response(request, grant_user=store.browser_user)
                return self._send(status, body if body else {}, headers)
            self._send(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            path = urlsplit(self.path).path
            if path.endswith("/oauth2/v2.0/devicecode"):
                status, body, headers = server.create_endpoint_response("device_authorization", self._request(form))
            elif path.endswith("/oauth2/v2.0/token") or path == "/token":
                status, body, headers = server.create_token_response(self._request(form))
            else:
                return self._send(404, {"error": "not_found"})
            self._send(status, body, headers)

    return Handler


@contextlib.contextmanager
def oauth_server(context: ssl.SSLContext) -> Iterator[Store]:
    """The authorization server on https://127.0.0.1:PORT; yields its Store."""
    store = Store()
    server = Server(store)
    server.register_grant(ClientCredentials)
    server.register_grant(RotatingRefresh)
    server.register_grant(DeviceCode)
    server.register_grant(AuthorizationCode, [CodeChallenge(required=True)])
    server.register_grant(ServiceAccountGrant)
    server.register_endpoint(DeviceEndpoint)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    httpd.daemon_threads = True
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    store.base = f"https://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield store
    finally:
        httpd.shutdown()
        httpd.server_close()


def _key_pair() -> tuple[str, object]:
    """A new RSA key: the private key's PEM and the public key as the server holds it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = private.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem, JsonWebKey.import_key(public)


def delete_service_account_key(store: Store, email: str = "mailer@project.iam.gserviceaccount.com") -> None:
    """The admin deletes the account's key in Google Cloud: the account stays, with another key."""
    store.clients[email].public_key = _key_pair()[1]


def service_account_key(store: Store, email: str = "mailer@project.iam.gserviceaccount.com") -> str:
    """A new service account registered with the server; returns its key JSON."""
    pem, public = _key_pair()
    store.clients[email] = Client(email, secret="unused", public_key=public)
    return json.dumps({"type": "service_account", "project_id": "project", "private_key_id": "k1",
                       "private_key": pem, "client_email": email, "client_id": "1234567890",
                       "token_uri": f"{store.base}/token"}, indent=2)


# -- the SMTP side ---------------------------------------------------------------


class XOAuth2SMTP(RecordingSMTP):
    """Takes XOAUTH2 with the authorization server's access tokens only."""

    async def auth_XOAUTH2(self, server, args) -> AuthResult:
        store: Store = self.event_handler.oauth
        try:
            text = base64.b64decode(args[1]).decode()
            fields = dict(part.split("=", 1) for part in text.split("\x01") if part)
            user, token = fields["user"], fields["auth"].removeprefix("Bearer ")
        except Exception:
            return AuthResult(success=False, handled=False, message="501 5.5.2 cannot decode XOAUTH2")
        self.event_handler.logins.append((user, "XOAUTH2"))
        if user in store.smtp_auth_disabled:
            return AuthResult(success=False, handled=False, message=(
                "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. "
                "Visit https://aka.ms/smtp_auth_disabled for more information."))
        issued = store.access(token)
        app_only = issued is not None and store.clients.get(issued.client_id, Client("")).secret is not None
        if issued is None or issued.is_expired() or not (app_only or issued.user.lower() == user.lower()):
            return AuthResult(success=False, handled=False, message="535 5.7.3 Authentication unsuccessful")
        self.event_handler.tls_at_auth.append(self.transport.get_extra_info("sslcontext") is not None)
        return AuthResult(success=True, auth_data=user)


class XOAuth2Controller(RecordingController):
    def factory(self):
        return XOAuth2SMTP(self.handler, **self.SMTP_kwargs)


@dataclass
class OAuthMailbox(Mailbox):
    oauth: Store = field(default_factory=Store)
    tls_at_auth: list[bool] = field(default_factory=list)


@contextlib.contextmanager
def xoauth2_smtp_server(store: Store, starttls: ssl.SSLContext, *, offer_starttls: bool = True
                        ) -> Iterator[tuple[int, OAuthMailbox]]:
    """An SMTP server on 127.0.0.1 offering STARTTLS and AUTH XOAUTH2 (AUTH
    also before TLS, so that a client that sends too early would be seen)."""
    mailbox = OAuthMailbox(oauth=store)
    port = free_port()
    kwargs: dict = {"tls_context": starttls} if offer_starttls else {}
    controller = XOAuth2Controller(mailbox, hostname="127.0.0.1", port=port, server_hostname="mail.test",
                                   authenticator=mailbox.authenticate, auth_require_tls=False,
                                   auth_exclude_mechanism=["PLAIN", "LOGIN"], **kwargs)
    controller.start()
    try:
        yield port, mailbox
    finally:
        controller.stop()


def authorize_in_browser(store: Store, url: str) -> str:
    """What the admin's browser does with the sign-in address: Google's
    page (here, the server) redirects to the loopback address with a code;
    returns the address the browser ends on, to paste back."""
    import requests

    answer = requests.get(url, allow_redirects=False, verify=store.ca, timeout=PATIENCE)
    return answer.headers["Location"]


def approve_when_asked(store: Store, user: str, *, timeout: float = PATIENCE,
                       approved: bool = True) -> threading.Thread:
    """A thread playing the admin: waits for a device code to be shown, then
    signs in on 'another device' with it."""

    def play() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            codes = store.pending_user_codes()
            if codes:
                store.approve(codes[0], user, approved)
                return
            time.sleep(0.05)

    thread = threading.Thread(target=play, daemon=True)
    thread.start()
    return thread


__all__ = ["TENANT", "Client", "Store", "approve_when_asked", "authorize_in_browser", "delete_service_account_key",
           "oauth_server", "service_account_key", "urlencode", "xoauth2_smtp_server"]
