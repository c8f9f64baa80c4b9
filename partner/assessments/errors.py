"""The one business-rule error of the assessment services."""

from __future__ import annotations


class ServiceError(Exception):
    """A business rule refused the request; ``code`` goes into the API's error body.

    Raised by the order and runner services; the inbound API answers it in the contract's
    error shape (``api.errors``), the admin and the candidate's pages show its message.
    """

    def __init__(self, message: str, *, code: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status

    @classmethod
    def unknown_package(cls) -> ServiceError:
        """A package id we do not have, or do not offer to the caller's client account."""
        return cls("Unknown assessment package", code="PACKAGE_NOT_FOUND", status=404)
