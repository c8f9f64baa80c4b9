"""Client for SmartRecruiters' side of the Assessment API 2021 (assessment-api.md §2).

One function per endpoint. Configuration and setup use the master credentials; results
and attachments use the company's SR-pair. Every call goes through the shared transport
(timeouts, throttle, retries of 429/5xx/timeouts; only SR's host ever gets a token).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from partner.smartrecruiters.auth import BearerAuth
from partner.smartrecruiters.errors import MalformedResponseError
from partner.smartrecruiters.oauth import (
    ClientCredentials,
    call_with_token,
    master_credentials,
)
from partner.smartrecruiters.transport import get_transport

API_PREFIX = "/assessment-api/v202010"


@dataclass(frozen=True)
class PartnerField:
    id: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class PartnerConfiguration:
    consent_url: str
    consent_display_mode: str
    assessment_package_list_url: str
    single_assessment_package_url: str
    oauth_token_url: str
    supported_assessment_types: list[str]
    package_order_url: str = ""
    inline_assessment_package_order_url: str = ""
    integration_disable_url: str = ""
    fields: list[PartnerField] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "consentUrl": self.consent_url,
            "consentDisplayMode": self.consent_display_mode,
            "assessmentPackageListUrl": self.assessment_package_list_url,
            "singleAssessmentPackageUrl": self.single_assessment_package_url,
            "oauthTokenUrl": self.oauth_token_url,
            "supportedAssessmentTypes": list(self.supported_assessment_types),
            "fields": [
                {"id": f.id, "name": f.name, "description": f.description} for f in self.fields
            ],
        }
        optional = {
            "packageOrderUrl": self.package_order_url,
            "inlineAssessmentPackageOrderUrl": self.inline_assessment_package_order_url,
            "integrationDisableUrl": self.integration_disable_url,
        }
        body.update({key: value for key, value in optional.items() if value})
        return body

    @classmethod
    def from_json(cls, body: Any) -> PartnerConfiguration:
        if not isinstance(body, dict):
            raise MalformedResponseError("partner configuration is not an object")
        fields = [
            PartnerField(
                id=str(item.get("id", "")),
                name=str(item.get("name", "")),
                description=str(item.get("description") or ""),
            )
            for item in body.get("fields") or []
            if isinstance(item, dict)
        ]
        return cls(
            consent_url=str(body.get("consentUrl") or ""),
            consent_display_mode=str(body.get("consentDisplayMode") or ""),
            assessment_package_list_url=str(body.get("assessmentPackageListUrl") or ""),
            single_assessment_package_url=str(body.get("singleAssessmentPackageUrl") or ""),
            oauth_token_url=str(body.get("oauthTokenUrl") or ""),
            supported_assessment_types=[str(t) for t in body.get("supportedAssessmentTypes") or []],
            package_order_url=str(body.get("packageOrderUrl") or ""),
            inline_assessment_package_order_url=str(
                body.get("inlineAssessmentPackageOrderUrl") or ""
            ),
            integration_disable_url=str(body.get("integrationDisableUrl") or ""),
            fields=fields,
        )


def get_configuration() -> PartnerConfiguration:
    """``GET {SR}/partner/configuration`` (master token)."""

    def call(auth: BearerAuth) -> PartnerConfiguration:
        response = get_transport().request("GET", f"{API_PREFIX}/partner/configuration", auth=auth)
        return PartnerConfiguration.from_json(response.json())

    return call_with_token(master_credentials(), call)


def put_configuration(configuration: PartnerConfiguration) -> PartnerConfiguration:
    """``PUT {SR}/partner/configuration`` (master token)."""

    def call(auth: BearerAuth) -> PartnerConfiguration:
        response = get_transport().request(
            "PUT",
            f"{API_PREFIX}/partner/configuration",
            auth=auth,
            json=configuration.to_json(),
            expect_json=True,
        )
        return PartnerConfiguration.from_json(response.json())

    return call_with_token(master_credentials(), call)


def setup_integration(*, company_id: str, p_pair: ClientCredentials) -> ClientCredentials:
    """``POST {SR}/integration/company/{companyId}`` with our P-pair → SR's SR-pair.

    Raises ``AuthenticationError`` (403: no consent), ``NotFoundError`` (404: no
    configuration) or a ``PermanentError`` with status 409 (already integrated).
    """

    def call(auth: BearerAuth) -> ClientCredentials:
        response = get_transport().request(
            "POST",
            f"{API_PREFIX}/integration/company/{company_id}",
            auth=auth,
            json={"clientId": p_pair.client_id, "clientSecret": p_pair.client_secret},
            expect_json=True,
        )
        body = response.json()
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("clientId"), str)
            or not isinstance(body.get("clientSecret"), str)
        ):
            raise MalformedResponseError("setup response has no clientId/clientSecret")
        return ClientCredentials(body["clientId"], body["clientSecret"])

    return call_with_token(master_credentials(), call)


def patch_results(
    *, credentials: ClientCredentials, result_callback_url: str, patch: dict[str, Any]
) -> None:
    """``PATCH {resultCallbackURL}`` (SR-pair token): a merge patch of the PackageResult.

    Any 2xx is success (§7 "Tolerate"); the body is not needed.
    """

    def call(auth: BearerAuth) -> None:
        get_transport().request(
            "PATCH",
            result_callback_url,
            auth=auth,
            json=patch,
            headers={"Content-Type": "application/json"},
            expect_json=False,
        )

    call_with_token(credentials, call)


def upload_attachment(
    *,
    credentials: ClientCredentials,
    result_callback_url: str,
    file_name: str,
    content: bytes,
    content_type: str = "application/pdf",
) -> str:
    """``POST {resultCallbackURL}/attachment`` (multipart part ``attachment``) → its url."""

    def call(auth: BearerAuth) -> str:
        response = get_transport().request(
            "POST",
            result_callback_url.rstrip("/") + "/attachment",
            auth=auth,
            files={"attachment": (file_name, content, content_type)},
            expect_json=True,
        )
        body = response.json()
        url = body.get("url") if isinstance(body, dict) else None
        if not isinstance(url, str):
            raise MalformedResponseError("upload response has no url", status=response.status)
        return url

    return call_with_token(credentials, call)
