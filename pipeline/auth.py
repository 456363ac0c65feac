"""Who may sign in: a Cognito user pool (administrators add users; no one signs up), the dashboard's app
client, a group per role and the API Gateway authorizer that accepts the pool's ID tokens.

The dashboard signs in with SRP against Cognito's API (the password never leaves the browser), in AWS as
against the local stack's user pool, and answers Cognito's second-factor challenges: a code from the user's
authenticator app, or at a first sign-in the app's setup. The pool has no hosted sign-in domain and the client no
OAuth flows.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from isoflow.api.auth import GROUPS, Role
from pipeline.nag import acknowledge

GROUP_DESCRIPTIONS = {
    Role.ANALYST: "Read accounts, transactions, anomalies and runs; record feedback on anomalies",
    Role.ADMIN: "Everything analysts do; create, change and delete accounts and transactions; start and rerun "
    "detection runs",
}


# A second factor from an authenticator app (TOTP): "required" has every user set one up at their first
# sign-in, in the dashboard; "optional" asks only those who have one for its code.
MFA_CHOICES = {"required": cognito.Mfa.REQUIRED, "optional": cognito.Mfa.OPTIONAL}


class UserPool(Construct):
    def __init__(self, scope: Construct, id: str, *, retain: bool, mfa: str = "required") -> None:
        if mfa not in MFA_CHOICES:
            raise ValueError(f"mfa must be one of {', '.join(MFA_CHOICES)}, got {mfa!r}")
        super().__init__(scope, id)
        self.user_pool = cognito.UserPool(
            self,
            "Users",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            # Threat protection: compromised-credential checks and adaptive authentication, enforced.
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            mfa=MFA_CHOICES[mfa],
            # No SMS: texts need an SNS sending role and spend, and are the weaker factor.
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            deletion_protection=retain,
            removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
        )
        self.client = self.user_pool.add_client(
            "Dashboard",
            user_pool_client_name="isoflow-dashboard",
            # A browser keeps no secret.
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_srp=True),
            disable_o_auth=True,
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.hours(12),
        )
        for group, role in GROUPS.items():
            cognito.CfnUserPoolGroup(
                self,
                f"Group{role.name.title()}",
                user_pool_id=self.user_pool.user_pool_id,
                group_name=group,
                description=GROUP_DESCRIPTIONS[role],
                # Lower wins where a user is in both: the greater role.
                precedence=len(Role) - role.value,
            )
        # Without authorization scopes the authorizer accepts the pool's ID tokens, which carry the groups.
        self.authorizer = apigateway.CognitoUserPoolsAuthorizer(
            self, "Authorizer", cognito_user_pools=[self.user_pool], results_cache_ttl=Duration.minutes(5)
        )
        if mfa == "optional":
            acknowledge(
                self.user_pool,
                "AwsSolutions-COG2",
                "This deployment chose optional MFA (context mfa=optional): users with an authenticator app are "
                "asked for its code at every sign-in, users without one sign in with their password alone",
            )
        CfnOutput(Stack.of(self), "UserPoolId", value=self.user_pool.user_pool_id, description="Add users here")
        CfnOutput(Stack.of(self), "UserPoolClientId", value=self.client.user_pool_client_id)

    @property
    def endpoint(self) -> str:
        """Cognito's API in the stack's region, where the dashboard signs in."""
        return f"https://cognito-idp.{Stack.of(self).region}.amazonaws.com"

    def site_config(self) -> dict[str, str]:
        """The `auth` section of the dashboard's /config.json."""
        return {
            "userPoolId": self.user_pool.user_pool_id,
            "clientId": self.client.user_pool_client_id,
            "region": Stack.of(self).region,
            "endpoint": self.endpoint,
        }
