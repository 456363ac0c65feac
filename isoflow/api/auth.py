"""Who may call what: the caller's role from the claims API Gateway's Cognito authorizer passes on, and the one
table of the API's routes and the least role each needs.

In AWS the authorizer has verified the token (signature, issuer, expiry) before the function runs and hands
over its claims, every value a string, in `requestContext.authorizer.claims`; locally the API Gateway layer
does the same. The API still refuses a request whose claims it does not understand: no claims, a token other
than an ID token, no subject, or no group with a role.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

from isoflow.store.audit import Actor


class Role(IntEnum):
    """Ordered: a role may do everything the roles below it may."""

    ANALYST = 1  # reads everything, records feedback on anomalies
    ADMIN = 2  # also creates, changes and deletes accounts and transactions, starts and reruns detection


# Cognito group -> role; the user pool creates these groups.
GROUPS: dict[str, Role] = {"analysts": Role.ANALYST, "admins": Role.ADMIN}

# Open to everyone, as in the API Gateway stack: only whether the API is up.
# /api/docs only sends the browser on to the dashboard's API page, which signs in as the dashboard does.
PUBLIC_ROUTES = frozenset({("GET", "/api/health"), ("GET", "/api/docs")})

# Every route (OpenAPI path syntax) and the least role that may call it. A request that matches none of
# them needs an administrator: a route added without an entry here is closed to analysts, not open.
ROUTE_ROLES: dict[tuple[str, str], Role] = {
    ("GET", "/api/accounts"): Role.ANALYST,
    ("GET", "/api/accounts/{accountId}"): Role.ANALYST,
    ("POST", "/api/accounts"): Role.ADMIN,
    ("PATCH", "/api/accounts/{accountId}"): Role.ADMIN,
    ("DELETE", "/api/accounts/{accountId}"): Role.ADMIN,
    ("GET", "/api/transactions"): Role.ANALYST,
    ("GET", "/api/transactions/{transactionId}"): Role.ANALYST,
    ("POST", "/api/transactions"): Role.ADMIN,
    ("PATCH", "/api/transactions/{transactionId}"): Role.ADMIN,
    ("DELETE", "/api/transactions/{transactionId}"): Role.ADMIN,
    ("PUT", "/api/transactions/{transactionId}/feedback"): Role.ANALYST,
    ("POST", "/api/verdicts"): Role.ADMIN,
    ("GET", "/api/accounts/{accountId}/audit"): Role.ANALYST,
    ("GET", "/api/transactions/{transactionId}/audit"): Role.ANALYST,
    ("GET", "/api/anomalies"): Role.ANALYST,
    ("GET", "/api/anomalies/stats"): Role.ANALYST,
    ("GET", "/api/activity"): Role.ANALYST,
    ("GET", "/api/model"): Role.ANALYST,
    ("GET", "/api/executions"): Role.ANALYST,
    ("GET", "/api/executions/{executionId}"): Role.ANALYST,
    ("POST", "/api/executions"): Role.ADMIN,
    ("POST", "/api/executions/{executionId}/rerun"): Role.ADMIN,
    ("GET", "/api/openapi.json"): Role.ANALYST,
}


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$")


_MATCHERS = [(method, _pattern(path), role) for (method, path), role in ROUTE_ROLES.items()]


def is_public(method: str, path: str) -> bool:
    return (method.upper(), path.rstrip("/") or "/") in PUBLIC_ROUTES


def required_role(method: str, path: str) -> Role:
    """The least role that may call `method path` (a concrete path, e.g. /api/accounts/acc_1)."""
    method = method.upper()
    # A HEAD is a GET without the body.
    method = "GET" if method == "HEAD" else method
    return next((role for m, pattern, role in _MATCHERS if m == method and pattern.match(path)), Role.ADMIN)


@dataclass(frozen=True)
class Caller:
    subject: str
    role: Role
    username: str | None = None
    email: str | None = None

    @property
    def actor(self) -> Actor:
        """The caller as the audit trail names them: subject, and e-mail (or user name)."""
        return Actor(subject=self.subject, name=self.email or self.username)


class AccessError(Exception):
    """A request the API refuses before it reads or writes anything: 401 (who is it?) or 403 (not allowed)."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def groups_of(value: Any) -> list[str]:
    """`cognito:groups` as API Gateway passes it (a string: "a,b" or "[a b]") or as a list."""
    if isinstance(value, list | tuple):
        return [str(group) for group in value]
    if not isinstance(value, str):
        return []
    return [group for group in re.split(r"[,\s]+", value.strip().strip("[]")) if group]


def caller_from(event: Mapping[str, Any]) -> Caller:
    """The signed-in caller of a REST proxy event, or AccessError (401 without usable claims, 403 without a
    group the API knows)."""
    context = event.get("requestContext")
    authorizer = context.get("authorizer") if isinstance(context, Mapping) else None
    claims = authorizer.get("claims") if isinstance(authorizer, Mapping) else None
    if not isinstance(claims, Mapping):
        raise AccessError(HTTPStatus.UNAUTHORIZED, "sign in first: send an ID token as Authorization: Bearer")
    if claims.get("token_use") != "id":
        raise AccessError(HTTPStatus.UNAUTHORIZED, "an ID token is required")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise AccessError(HTTPStatus.UNAUTHORIZED, "the token names no subject")
    roles = [GROUPS[group] for group in groups_of(claims.get("cognito:groups")) if group in GROUPS]
    if not roles:
        raise AccessError(HTTPStatus.FORBIDDEN, f"the user is in none of the groups {', '.join(GROUPS)}")
    username = claims.get("cognito:username") or claims.get("email")
    email = claims.get("email")
    return Caller(
        subject=subject,
        role=max(roles),
        username=str(username) if username else None,
        email=str(email) if email else None,
    )


def actor(router: BaseRouter) -> Actor:
    """Who is making the request a route is serving, as the audit trail names them."""
    return caller_from(router.current_event.raw_event).actor


def authorize(event: Mapping[str, Any]) -> Caller | None:
    """The caller allowed to make this request (None for a public route), or AccessError."""
    method, path = str(event["httpMethod"]), str(event["path"])
    if is_public(method, path):
        return None
    caller = caller_from(event)
    needed = required_role(method, path)
    if caller.role < needed:
        raise AccessError(HTTPStatus.FORBIDDEN, f"{method} {path} needs the {needed.name.lower()} role")
    return caller
