"""``manage.py register_assessment_partner``: PUT our partner configuration to SR."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from partner.smartrecruiters import assessments as sr_assessments
from partner.smartrecruiters.errors import SmartRecruitersError


def our_configuration() -> sr_assessments.PartnerConfiguration:
    """Our URLs under SITE_URL/sr/assessments/ (contract §3) and the settings' choices."""
    site = str(settings.SITE_URL).rstrip("/")

    def url(name: str) -> str:
        return site + reverse(f"assessments:{name}")

    fields = [
        sr_assessments.PartnerField(
            id=str(f["id"]),
            name=str(f.get("name", f["id"])),
            description=str(f.get("description", "")),
        )
        for f in settings.ASSESSMENT_PARTNER_FIELDS
    ]
    if len(fields) > 5:
        raise CommandError("ASSESSMENT_PARTNER_FIELDS may hold at most 5 fields")
    packages = url("packages")
    return sr_assessments.PartnerConfiguration(
        consent_url=url("consent"),
        consent_display_mode=str(settings.ASSESSMENT_CONSENT_DISPLAY_MODE),
        assessment_package_list_url=packages,
        # A base URL: SR appends /{id}.
        single_assessment_package_url=packages,
        oauth_token_url=url("token"),
        package_order_url=url("orders"),
        inline_assessment_package_order_url=url("inline_orders"),
        integration_disable_url=site + "/sr/assessments/integrations/companies",
        fields=fields,
        supported_assessment_types=list(settings.ASSESSMENT_SUPPORTED_TYPES),
    )


class Command(BaseCommand):
    help = "Send our partner configuration to SmartRecruiters (PUT /partner/configuration)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--show", action="store_true", help="Print the configuration SR holds and exit"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["show"]:
                saved = sr_assessments.get_configuration()
            else:
                saved = sr_assessments.put_configuration(our_configuration())
        except SmartRecruitersError as exc:
            raise CommandError(f"SmartRecruiters refused the configuration: {exc}") from None
        for key, value in saved.to_json().items():
            self.stdout.write(f"{key}: {value}")
        if not options["show"]:
            self.stdout.write(self.style.SUCCESS("Partner configuration saved at SmartRecruiters."))
