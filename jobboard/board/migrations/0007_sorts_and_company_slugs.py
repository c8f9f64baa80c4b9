"""Indexes for the salary and closing-date sorts; no company without a slug.

The sorts of the live jobs read a page off these in order instead of sorting every
visible listing. PostgreSQL gets NULLS LAST to match the ORDER BY (ads without a salary
or a closing date come last); SQLite cannot index NULLS LAST, and its DESC puts NULLs
last anyway.
"""

from django.db import migrations

POSTGRES = [
    "CREATE INDEX IF NOT EXISTS listing_salary_sort ON board_listing "
    "(salary_annual DESC NULLS LAST, posted_at DESC, id DESC) WHERE state = 'live'",
    "CREATE INDEX IF NOT EXISTS listing_closing_sort ON board_listing "
    "(valid_through ASC NULLS LAST, posted_at DESC, id DESC) WHERE state = 'live'",
]
SQLITE = [
    "CREATE INDEX IF NOT EXISTS listing_salary_sort ON board_listing "
    "(salary_annual DESC, posted_at DESC, id DESC) WHERE state = 'live'",
    "CREATE INDEX IF NOT EXISTS listing_closing_sort ON board_listing "
    "(valid_through ASC, posted_at DESC, id DESC) WHERE state = 'live'",
]
DROP = ["DROP INDEX IF EXISTS listing_salary_sort", "DROP INDEX IF EXISTS listing_closing_sort"]


def create(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    for statement in DROP:
        schema_editor.execute(statement)


def fill_empty_company_slugs(apps, schema_editor):
    # Company pages live at /companies/<slug>/: a name slugify dropped whole (株式会社)
    # left an empty slug, which no URL can hold.
    Company = apps.get_model("board", "Company")
    for company in Company.objects.filter(slug=""):
        company.slug = f"company-{company.pk}"
        company.save(update_fields=["slug"])


class Migration(migrations.Migration):

    dependencies = [
        ("board", "0006_search_quality"),
    ]

    operations = [
        migrations.RunPython(create, drop),
        migrations.RunPython(fill_empty_company_slugs, migrations.RunPython.noop),
    ]
