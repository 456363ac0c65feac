"""Signing in locally: a user pool in the local AWS endpoint's Cognito, and the check API Gateway's Cognito
authorizer makes in AWS, for the local API Gateway layer.

Without sign-in (the default of `isoflow local`, bound to 127.0.0.1) every request acts as one local
administrator, so the API's own role checks run the same way in both modes. With sign-in (`--auth`) the layer
passes on only what a verified ID token says: signed with a key of the pool's JWKS, issued by the pool, for the
dashboard's app client, not expired.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from moto.cognitoidp.models import cognitoidp_backends

from isoflow.api.auth import GROUPS
from isoflow.local.resources import ACCOUNT_ID

# The claims of the one caller of a local stack without sign-in: an administrator.
LOCAL_ADMINISTRATOR: dict[str, str] = {
    "sub": "local",
    "token_use": "id",
    "cognito:username": "local",
    "cognito:groups": "admins",
}

POOL_NAME = "isoflow-users"
CLIENT_NAME = "isoflow-dashboard"
# One user in each group, signing in with their email address.
LOCAL_USERS: dict[str, str] = {"analysts": "analyst@isoflow.local", "admins": "admin@isoflow.local"}


class Unauthorized(Exception):
    """No token, or one the authorizer does not accept: API Gateway's 401."""


@dataclass(frozen=True)
class UserPool:
    """A user pool the dashboard signs in to and the API Gateway layer trusts."""

    pool_id: str
    client_id: str
    region: str
    endpoint: str  # Cognito's API, where the dashboard sends its sign-in requests
    passwords: Mapping[str, str]  # email -> password of the users created with the pool

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}"

    @property
    def jwks_url(self) -> str:
        return f"{self.endpoint}/{self.pool_id}/.well-known/jwks.json"

    def site_config(self) -> dict[str, str]:
        """The `auth` section of the dashboard's /config.json."""
        return {
            "userPoolId": self.pool_id,
            "clientId": self.client_id,
            "region": self.region,
            "endpoint": self.endpoint,
        }


def new_password() -> str:
    # Random letters and digits (easy to copy from a terminal), then every class the pool's policy asks for.
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(16)) + "aA1!"


@dataclass(frozen=True)
class KeptUser:
    """What a local user needs to sign in after a restart."""

    password: str
    groups: tuple[str, ...] = ()
    attributes: Mapping[str, str] | None = None  # besides `sub`, which the pool gives anew
    confirmed: bool = True  # False: the password is a temporary one, to be changed at the first sign-in


def create_user_pool(cognito: Any, endpoint: str, region: str, kept: Mapping[str, KeptUser] | None = None) -> UserPool:
    """A pool with email sign-in, the dashboard's client (no secret), both groups and a user in each, whose
    password is the one `kept` has for them (a new one otherwise); and every other user `kept` has, as kept."""
    kept = dict(kept or {})
    pool_id = cognito.create_user_pool(
        PoolName=POOL_NAME,
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
    )["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=CLIENT_NAME,
        GenerateSecret=False,
        # Passwords too (USER_PASSWORD_AUTH), for curl and the tests; the stack's client takes SRP only.
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    for group in GROUPS:
        cognito.create_group(UserPoolId=pool_id, GroupName=group)
    given = {
        email: add_user(cognito, pool_id, email, group, kept[email].password if email in kept else None)
        for group, email in LOCAL_USERS.items()
    }
    for email, user in kept.items():
        if email not in given:
            _restore_user(cognito, pool_id, email, user)
    return UserPool(pool_id, client_id, region, endpoint, given)


def _restore_user(cognito: Any, pool_id: str, email: str, user: KeptUser) -> None:
    attributes = {"email": email, **(user.attributes or {})}
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        UserAttributes=[{"Name": name, "Value": value} for name, value in attributes.items()],
        TemporaryPassword=user.password,
        MessageAction="SUPPRESS",
    )
    if user.confirmed:
        cognito.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=user.password, Permanent=True)
    for group in user.groups:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName=group)


def pool_users(cognito: Any, pool: UserPool) -> dict[str, KeptUser]:
    """Every user of the local pool, as `create_user_pool` can make them again. Cognito never gives a password
    back; the local pool is moto's, in this process, which keeps them."""
    users = cognitoidp_backends[ACCOUNT_ID][pool.region].user_pools[pool.pool_id].users.values()
    kept: dict[str, KeptUser] = {}
    for user in users:
        if user.password is None:
            continue  # no way to sign in to keep
        attributes = {a["Name"]: a["Value"] for a in user.attributes if a["Name"] != "sub"}
        email = attributes.pop("email", user.username)
        groups = cognito.admin_list_groups_for_user(UserPoolId=pool.pool_id, Username=email)["Groups"]
        kept[email] = KeptUser(
            password=user.password,
            groups=tuple(group["GroupName"] for group in groups),
            attributes=attributes,
            confirmed=user.status == "CONFIRMED",
        )
    return kept


def add_user(cognito: Any, pool_id: str, email: str, group: str | None, password: str | None = None) -> str:
    """Creates a confirmed user (in `group`, if given) with `password` (a new one if None) and returns it."""
    password = password or new_password()
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=password, Permanent=True)
    if group:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName=group)
    return password


def claims_as_strings(claims: Mapping[str, Any]) -> dict[str, str]:
    """Claims as API Gateway's REST authorizer passes them on: every value a string, lists comma-separated."""
    return {
        name: ",".join(str(item) for item in value) if isinstance(value, list) else str(value)
        for name, value in claims.items()
    }


class CognitoAuthorizer:
    """What API Gateway's Cognito user pool authorizer checks, on the `Authorization` header's ID token."""

    def __init__(self, pool: UserPool) -> None:
        self.pool = pool
        # The keys are fetched on first use and kept, as API Gateway caches the pool's JWKS.
        self._keys = jwt.PyJWKClient(pool.jwks_url, cache_keys=True)

    def claims(self, authorization: str | None) -> dict[str, str]:
        if not authorization:
            raise Unauthorized("no Authorization header")
        scheme, _, token = authorization.partition(" ")
        # API Gateway takes the bare token as well as "Bearer <token>".
        token = token.strip() if scheme.lower() == "bearer" else authorization.strip()
        try:
            key = self._keys.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self.pool.client_id,
                issuer=self.pool.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "token_use"]},
            )
        except jwt.PyJWTError as error:
            raise Unauthorized(str(error)) from error
        if claims.get("token_use") != "id":
            raise Unauthorized("not an ID token")
        return claims_as_strings(claims)
