"""Input and output serializers of the endpoints SmartRecruiters calls (contract §3)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from partner.assessments.models import Assessment, AssessmentType, Package
from partner.assessments.orders import CandidateInput, OrderInput
from partner.assessments.urlrules import is_allowed_web_redirect


class TokenRequestSerializer(serializers.Serializer):
    grant_type = serializers.CharField()
    client_id = serializers.CharField(required=False)
    client_secret = serializers.CharField(required=False)
    scope = serializers.CharField(required=False, help_text="Ignored: all scopes are granted")


class AccessTokenSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    token_type = serializers.CharField(default="Bearer")
    expires_in = serializers.IntegerField()


class TokenErrorSerializer(serializers.Serializer):
    error = serializers.CharField()
    error_description = serializers.CharField(required=False)


class ErrorItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    # A declared field, not Serializer.errors: DRF moves declared fields off the class.
    errors = ErrorItemSerializer(many=True)  # type: ignore[assignment]


class AssessmentOutputSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="external_id")
    type = serializers.ChoiceField(choices=AssessmentType.choices)

    class Meta:
        model = Assessment
        fields = ["id", "type", "name", "description"]


class PackageOutputSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="external_id")
    type = serializers.ChoiceField(choices=AssessmentType.choices)
    assessments = AssessmentOutputSerializer(many=True)

    class Meta:
        model = Package
        fields = ["id", "type", "name", "description", "assessments"]


# Order ``fields``: values of our configured partner fields (§3 PartnerConfiguration: at
# most 5, each ``id`` a query parameter). SR documents no lengths; ids are short slugs and
# values codes or short texts, so these bounds leave room and keep a row small.
MAX_ORDER_FIELDS = 5
MAX_FIELD_KEY_LENGTH = 100
MAX_FIELD_VALUE_LENGTH = 1000


class CandidateSerializer(serializers.Serializer):
    # Bounds are the Order columns' (an over-long value would fail on PostgreSQL).
    id = serializers.CharField(required=False, allow_blank=True, max_length=100)
    email = serializers.EmailField(max_length=320)
    firstName = serializers.CharField(required=False, allow_blank=True, max_length=200)
    lastName = serializers.CharField(required=False, allow_blank=True, max_length=200)
    applicationLanguage = serializers.CharField(required=False, allow_blank=True, max_length=20)


class JobSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=100)


class RequesterSerializer(serializers.Serializer):
    userId = serializers.CharField(required=False, allow_blank=True, max_length=100)
    email = serializers.CharField(required=False, allow_blank=True, max_length=320)


class OrderRequestSerializer(serializers.Serializer):
    # Checked as sent (no trimming): partner.assessments.urlrules accepts one spelling only.
    resultCallbackURL = serializers.CharField(max_length=500, trim_whitespace=False)
    companyId = serializers.CharField(max_length=64)
    assessmentPackageId = serializers.CharField(max_length=100)
    candidate = CandidateSerializer()
    job = JobSerializer(required=False)
    jobId = serializers.CharField(required=False, max_length=100)
    requester = RequesterSerializer(required=False)
    # The contract's name; a declared field, so it does not replace Serializer.fields.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.CharField(allow_blank=True, max_length=MAX_FIELD_VALUE_LENGTH),
        required=False,
    )

    def validate_fields(self, value: dict[str, str]) -> dict[str, str]:
        if len(value) > MAX_ORDER_FIELDS:
            raise serializers.ValidationError(f"at most {MAX_ORDER_FIELDS} fields")
        for key in value:
            if not key or len(key) > MAX_FIELD_KEY_LENGTH:
                raise serializers.ValidationError(
                    f"a field id must have 1 to {MAX_FIELD_KEY_LENGTH} characters"
                )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # SR may send only the deprecated jobId (§7 "Tolerate").
        job = attrs.get("job") or {}
        if not job.get("id") and not attrs.get("jobId"):
            raise serializers.ValidationError({"job": "job.id (or jobId) is required"})
        return attrs

    def to_input(self) -> OrderInput:
        data = self.validated_data
        candidate = data["candidate"]
        return OrderInput(
            result_callback_url=data["resultCallbackURL"],
            company_id=data["companyId"],
            package_id=data["assessmentPackageId"],
            candidate=CandidateInput(
                email=candidate["email"],
                first_name=candidate.get("firstName", ""),
                last_name=candidate.get("lastName", ""),
                language=candidate.get("applicationLanguage", ""),
                sr_id=candidate.get("id", ""),
            ),
            job_id=(data.get("job") or {}).get("id") or data.get("jobId", ""),
            requester=dict(data.get("requester") or {}),
            fields=dict(data.get("fields") or {}),
            completed_callback_url=data.get("completedAssessmentCallbackUrl", ""),
        )


class InlineOrderRequestSerializer(OrderRequestSerializer):
    completedAssessmentCallbackUrl = serializers.CharField(max_length=1000)

    def validate_completedAssessmentCallbackUrl(self, value: str) -> str:
        if not is_allowed_web_redirect(value):
            raise serializers.ValidationError("must be on an allowed SmartRecruiters web host")
        return value


class InlineOrderResponseSerializer(serializers.Serializer):
    url = serializers.URLField()
    assessmentPackageURL = serializers.URLField()
