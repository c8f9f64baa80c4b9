"""Django admin for the vendor's staff: clients, integrations, packages, orders.

Thin: every action validates a form and calls one service. The order page shows the
candidate, the job, a timeline of events and result pushes, and the actions.
"""

from partner.assessments.admin import clients, orders, packages

__all__ = ["clients", "orders", "packages"]
