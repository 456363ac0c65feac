"""Sign-in in the synthesised template: the user pool, the dashboard's client, the groups, the authorizer on
every API route but the public ones (the health check, the redirect to the API's page), and what the dashboard
is told."""

from __future__ import annotations

import json
from typing import Any

import pytest

from isoflow.api.auth import GROUPS

pytestmark = pytest.mark.xdist_group("infra")


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def test_only_administrators_add_users_who_sign_in_with_email_and_a_strong_password(template_json: dict) -> None:
    (pool,) = resources(template_json, "AWS::Cognito::UserPool").values()
    props = pool["Properties"]
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert props["UsernameAttributes"] == ["email"]
    policy = props["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert all(policy[f"Require{kind}"] for kind in ("Lowercase", "Uppercase", "Numbers", "Symbols"))
    assert props["UserPoolAddOns"]["AdvancedSecurityMode"] == "ENFORCED"
    assert pool["DeletionPolicy"] == "Retain" and props["DeletionProtection"] == "ACTIVE"


def test_the_dashboard_client_has_no_secret_and_signs_in_with_srp_only(template_json: dict) -> None:
    (client,) = resources(template_json, "AWS::Cognito::UserPoolClient").values()
    props = client["Properties"]
    assert props.get("GenerateSecret", False) is False
    assert set(props["ExplicitAuthFlows"]) == {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert "AllowedOAuthFlows" not in props and props["PreventUserExistenceErrors"] == "ENABLED"


def test_a_group_for_each_role(template_json: dict) -> None:
    groups = resources(template_json, "AWS::Cognito::UserPoolGroup").values()
    assert {g["Properties"]["GroupName"] for g in groups} == set(GROUPS)


def test_every_api_route_but_the_public_ones_needs_a_user_pool_token(template_json: dict) -> None:
    (authorizer_name, authorizer) = next(iter(resources(template_json, "AWS::ApiGateway::Authorizer").items()))
    assert authorizer["Properties"]["Type"] == "COGNITO_USER_POOLS"
    (pool_name,) = resources(template_json, "AWS::Cognito::UserPool")
    assert authorizer["Properties"]["ProviderARNs"] == [{"Fn::GetAtt": [pool_name, "Arn"]}]
    methods = resources(template_json, "AWS::ApiGateway::Method")
    open_methods = {name for name, m in methods.items() if m["Properties"]["AuthorizationType"] == "NONE"}
    # The health check and /api/docs, which only sends a browser on to the dashboard's API page.
    assert len(open_methods) == 2 and {"health", "docs"} == {
        next(word for word in ("health", "docs") if word in name.lower()) for name in open_methods
    }
    guarded = [m["Properties"] for name, m in methods.items() if name not in open_methods]
    assert len(guarded) == 2
    assert all(
        p["AuthorizationType"] == "COGNITO_USER_POOLS" and p["AuthorizerId"] == {"Ref": authorizer_name}
        for p in guarded
    )
    responses = resources(template_json, "AWS::ApiGateway::GatewayResponse").values()
    (unauthorized,) = [r["Properties"] for r in responses if r["Properties"]["ResponseType"] == "UNAUTHORIZED"]
    body = json.loads(unauthorized["ResponseTemplates"]["application/json"])
    assert body == {"message": "Unauthorized", "errors": []}


def test_the_dashboard_may_call_cognito(template_json: dict) -> None:
    (policy,) = resources(template_json, "AWS::CloudFront::ResponseHeadersPolicy").values()
    csp = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"]
    rendered = json.dumps(csp["ContentSecurityPolicy"])
    assert "connect-src 'self' https://cognito-idp." in rendered


def test_outputs_name_the_user_pool_and_client(template_json: dict) -> None:
    assert {"UserPoolId", "UserPoolClientId"} <= set(template_json["Outputs"])


def test_cloudfront_passes_the_authorization_header_to_the_api(template_json: dict) -> None:
    # CloudFront forwards Authorization through an all-viewer origin request policy only with caching off.
    caching_disabled = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    all_viewer_except_host = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    (distribution,) = resources(template_json, "AWS::CloudFront::Distribution").values()
    (api,) = distribution["Properties"]["DistributionConfig"]["CacheBehaviors"]
    assert (api["CachePolicyId"], api["OriginRequestPolicyId"]) == (caching_disabled, all_viewer_except_host)
