"""The board benchmark's data: live listings generated inside PostgreSQL, loaded by COPY.

Every row is made by one ``SELECT`` over ``generate_series`` and piped, in COPY's binary
format, into ``COPY board_listing … FROM STDIN (FREEZE)`` on a second connection: the
two server processes generate and load side by side (two cores), nothing is formatted
as text, and rows loaded frozen into a table truncated in the same transaction need no
VACUUM pass to be visible to index-only scans.

Search vectors follow the board's recipe (``search_index._SEARCH_VECTOR_SQL``):
``A(title) || B(company) || C(ad text) || D(facet words)``, then the facet tokens
(``facet_tokens``). Each piece is one of few texts here, so each text's
``setweight(to_tsvector(…))`` is computed once, in a small table, and a row's vector is
its pieces joined with ``||``, which shifts positions exactly as the recipe's own ``||``
does.

Indexes are built after the load, two at a time (one per connection) with a large
``maintenance_work_mem``: building an index once beats updating it a million times.
"""

# The fill SQL is built from constants of this file only.
# ruff: noqa: S608

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

import psycopg

from jobboard.board import facet_tokens
from jobboard.board.keywords import vocabulary_words

TITLE_LEVELS = ["Senior", "Junior", "Lead", "Principal", "Staff", "", "Head of", "Associate"]
TITLE_ROLES = [
    "Python Developer", "Data Engineer", "Project Manager", "Accountant", "Nurse",
    "Sales Representative", "Frontend Engineer", "DevOps Engineer", "Product Designer",
    "Customer Success Manager", "Marketing Manager", "Warehouse Operative", "Chef",
    "Electrician", "HR Business Partner", "Financial Analyst", "Teacher", "Pharmacist",
    "Mechanical Engineer", "Software Architect",
]  # fmt: skip
PLACES = [
    ("Berlin", "Germany", "de"), ("Munich", "Germany", "de"), ("Hamburg", "Germany", "de"),
    ("Paris", "France", "fr"), ("Lyon", "France", "fr"), ("Warsaw", "Poland", "pl"),
    ("Krakow", "Poland", "pl"), ("London", "United Kingdom", "gb"),
    ("Manchester", "United Kingdom", "gb"), ("Madrid", "Spain", "es"),
    ("Barcelona", "Spain", "es"), ("Milan", "Italy", "it"), ("Amsterdam", "Netherlands", "nl"),
    ("Vienna", "Austria", "at"), ("Zurich", "Switzerland", "ch"), ("Prague", "Czechia", "cz"),
    ("Austin", "United States", "us"), ("New York", "United States", "us"),
    ("Toronto", "Canada", "ca"), ("Lisbon", "Portugal", "pt"),
]  # fmt: skip
FUNCTIONS = [
    "Engineering", "Sales", "Marketing", "Finance", "Information Technology", "Operations",
    "Human Resources", "Healthcare", "Education", "Design", "Customer Service", "Legal",
]  # fmt: skip
INDUSTRIES = [
    "Computer Software", "Retail", "Banking", "Hospital & Health Care", "Logistics",
    "Manufacturing", "Education", "Consulting", "Telecommunications", "Insurance",
]  # fmt: skip
LEVELS = ["Entry Level", "Associate", "Mid-Senior Level", "Director", "Internship"]
TYPES = [("permanent", "Full-time"), ("part_time", "Part-time"), ("contract", "Contractor")]
WORDS = [
    "team", "product", "customers", "build", "reliable", "services", "cloud", "data",
    "analytics", "growth", "mentoring", "quality", "ownership", "planning", "budget",
    "reporting", "stakeholders", "compliance", "safety", "training", "inventory",
    "scheduling", "patients", "students", "design", "research", "testing", "automation",
    "security", "negotiation", "pipeline", "forecasting", "hiring", "onboarding",
    "accounting", "audit", "logistics", "support",
]  # fmt: skip

COMPANIES = 2000
# Ad texts are drawn from a pool, so that their search vectors are computed once each.
DESCRIPTIONS = 1024
# Seed of the facets' and ages' draws (PostgreSQL's setseed: a fraction).
SEED = 0.17

# The columns loaded, in the order the generating SELECT names them.
COLUMNS = (
    "id", "source", "external_id", "job_key", "reference", "title", "slug", "company_id", "city",
    "region", "region_code", "country", "country_code", "remote", "function", "industry",
    "experience_level", "employment_type", "function_code", "industry_code",
    "experience_level_code", "employment_type_code", "salary_min", "salary_max",
    "salary_currency", "salary_period", "salary_annual", "company_description",
    "job_description", "qualifications", "additional_information", "video_url", "apply_url",
    "content_language", "posted_at", "valid_through", "state", "state_changed_at",
    "created_at", "updated_at", "search_vector",
)  # fmt: skip

# One row per listing i. Values computed from i are deterministic; facets and ages are
# drawn at random (seeded), not from i: values computed from i modulo small numbers go
# together (every newest job was in Engineering), which no real board does and which
# sends PostgreSQL down a newest-first index for a filter it never meets. The columns'
# types are the table's own, as binary COPY wants them.
_ROWS = """
SELECT
    r.i, 'bench'::varchar, ('j' || r.i)::varchar, ('j' || r.i)::varchar, ('REF-' || r.i)::varchar,
    t.title::varchar, t.slug::varchar, c.id::bigint, p.city::varchar, ''::varchar,
    ''::varchar, p.country::varchar, p.code::varchar, r.i %% 4 = 0, fn.name::varchar,
    ind.name::varchar, lvl.name::varchar, typ.label::varchar, ''::varchar, ''::varchar,
    ''::varchar, typ.code::varchar,
    CASE WHEN r.i %% 3 = 0 THEN (30000 + r.i %% 90 * 1000)::numeric END,
    CASE WHEN r.i %% 3 = 0 THEN (45000 + r.i %% 90 * 1000)::numeric END,
    (CASE WHEN r.i %% 3 = 0 THEN 'EUR' ELSE '' END)::varchar,
    (CASE WHEN r.i %% 3 = 0 THEN 'YEAR' ELSE '' END)::varchar,
    CASE WHEN r.i %% 3 = 0 THEN (45000 + r.i %% 90 * 1000)::numeric END,
    '<p>We are a company that cares.</p>'::text, d.description, d.qualifications, ''::text,
    ''::varchar, ('https://careers.example.com/' || r.i)::varchar, ''::varchar,
    r.posted, %(valid)s::timestamptz, 'live'::varchar, r.posted, r.posted, r.posted,
    t.vector || c.vector || d.vector || f.vector || TOKENS
FROM bench_draws AS r
JOIN bench_titles AS t ON t.n = r.title
JOIN bench_companies AS c ON c.n = r.company
JOIN bench_descriptions AS d ON d.n = r.description
JOIN bench_places AS p ON p.n = r.place
JOIN bench_functions AS fn ON fn.n = r.fn
JOIN bench_industries AS ind ON ind.n = r.ind
JOIN bench_levels AS lvl ON lvl.n = r.lvl
JOIN bench_types AS typ ON typ.n = r.typ
JOIN bench_facet_words AS f ON f.n = r.facets
"""

# The row's facet tokens, as the recipe adds them (``facet_tokens.vector_sql``).
_ROWS = _ROWS.replace(
    "TOKENS",
    facet_tokens.vector_sql(
        {
            "country": "p.code",
            "city": "p.city",
            "function": "fn.name",
            "industry": "ind.name",
            "level": "lvl.name",
            "type": "typ.label",
            facet_tokens.WORKPLACE: "r.i %% 4 = 0",
        }
    ),
)

# Each row's choices, as plain columns the planner has statistics on (a join on an
# expression is guessed at one row in two hundred, and a million rows then go through
# nested loops). In i's order: the joins hash the small tables and keep it.
_DRAWS = f"""
CREATE TEMP TABLE bench_draws AS
SELECT *, (((place * {len(FUNCTIONS)} + fn) * {len(INDUSTRIES)} + ind) * {len(LEVELS)} + lvl)
    * {len(TYPES)} + typ AS facets
FROM (
    SELECT i,
        (i / 7 %% {len(TITLE_LEVELS)} * {len(TITLE_ROLES)} + i %% {len(TITLE_ROLES)})::int AS title,
        (i %% {COMPANIES})::int AS company,
        (i * 7919 %% {DESCRIPTIONS})::int AS description,
        floor(random() * {len(PLACES)})::int AS place,
        floor(random() * {len(FUNCTIONS)})::int AS fn,
        floor(random() * {len(INDUSTRIES)})::int AS ind,
        floor(random() * {len(LEVELS)})::int AS lvl,
        floor(random() * {len(TYPES)})::int AS typ,
        %(now)s::timestamptz - floor(random() * 60 * 1440) * interval '1 minute' AS posted
    FROM generate_series(1::bigint, %(rows)s) AS i
) AS drawn
"""


def descriptions() -> list[tuple[str, str]]:
    """(job description, qualifications) pairs: eight short paragraphs of job words."""
    rng = random.Random(13)
    pool = []
    for _ in range(DESCRIPTIONS):
        paragraphs = "".join(
            f"<p>{rng.choice(WORDS)} {rng.choice(WORDS)} and {rng.choice(WORDS)} for our "
            f"{rng.choice(WORDS)} team.</p>"
            for _ in range(8)
        )
        pool.append((paragraphs, f"<ul><li>{rng.choice(WORDS)}</li></ul>"))
    return pool


def _vocabulary() -> set[str]:
    """The words of the titles, company names and facets the rows are drawn from."""
    titles = [f"{level} {role}" for level in TITLE_LEVELS for role in TITLE_ROLES]
    texts = [*titles, "Company", *(" ".join(p[:2]) for p in PLACES), *FUNCTIONS, *INDUSTRIES]
    return vocabulary_words(*texts)


def _pieces(conn: psycopg.Connection, config: str, company_ids: list[int]) -> None:
    """The small tables the rows are drawn from, each piece's vector computed once."""
    titles = [" ".join(f"{level} {role}".split()) for level in TITLE_LEVELS for role in TITLE_ROLES]
    pool = descriptions()
    numbered = "unnest({}) WITH ORDINALITY AS x({}, n)"
    statements: list[tuple[str, list[object]]] = [
        (
            "CREATE TEMP TABLE bench_titles AS SELECT n - 1 AS n, title, "
            "regexp_replace(lower(title), '[^a-z0-9]+', '-', 'g') AS slug, "
            "setweight(to_tsvector(%s::regconfig, title), 'A') AS vector "
            f"FROM {numbered.format('%s::text[]', 'title')}",
            [config, titles],
        ),
        (
            "CREATE TEMP TABLE bench_companies AS SELECT n - 1 AS n, id, "
            "setweight(to_tsvector(%s::regconfig, 'Company ' || n), 'B') AS vector "
            f"FROM {numbered.format('%s::bigint[]', 'id')}",
            [config, company_ids],
        ),
        (
            "CREATE TEMP TABLE bench_descriptions AS SELECT n - 1 AS n, description, "
            "qualifications, setweight(to_tsvector(%s::regconfig, "
            "concat_ws(' ', description, qualifications)), 'C') AS vector "
            "FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY "
            "AS x(description, qualifications, n)",
            [config, [d for d, _ in pool], [q for _, q in pool]],
        ),
        (
            "CREATE TEMP TABLE bench_places AS SELECT n - 1 AS n, city, country, code "
            "FROM unnest(%s::text[], %s::text[], %s::text[]) WITH ORDINALITY "
            "AS x(city, country, code, n)",
            [[p[0] for p in PLACES], [p[1] for p in PLACES], [p[2] for p in PLACES]],
        ),
        (
            "CREATE TEMP TABLE bench_types AS SELECT n - 1 AS n, code, label "
            "FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS x(code, label, n)",
            [[t[0] for t in TYPES], [t[1] for t in TYPES]],
        ),
    ]
    for table, values in (
        ("bench_functions", FUNCTIONS),
        ("bench_industries", INDUSTRIES),
        ("bench_levels", LEVELS),
    ):
        statements.append(
            (
                f"CREATE TEMP TABLE {table} AS SELECT n - 1 AS n, name "
                f"FROM {numbered.format('%s::text[]', 'name')}",
                [values],
            )
        )
    # D: concat_ws(' ', function, industry, level, type, city, region, country,
    # additional information), the recipe's own words, for every combination.
    statements.append(
        (
            "CREATE TEMP TABLE bench_facet_words AS SELECT "
            f"(((p.n * {len(FUNCTIONS)} + fn.n) * {len(INDUSTRIES)} + ind.n) * {len(LEVELS)} "
            f"+ lvl.n) * {len(TYPES)} + typ.n AS n, "
            "setweight(to_tsvector(%s::regconfig, concat_ws(' ', fn.name, ind.name, lvl.name, "
            "typ.label, p.city, '', p.country, '')), 'D') AS vector "
            "FROM bench_places p, bench_functions fn, bench_industries ind, bench_levels lvl, "
            "bench_types typ",
            [config],
        )
    )
    for sql, params in statements:
        conn.execute(sql, params)
    for table in (
        "bench_titles", "bench_companies", "bench_descriptions", "bench_places",
        "bench_functions", "bench_industries", "bench_levels", "bench_types",
        "bench_facet_words",
    ):  # fmt: skip
        conn.execute(f"ANALYZE {table}")


def _in_parallel(url: str, statements: list[str], *, workers: int = 2) -> None:
    """Run ``statements`` on ``workers`` connections, each taking the next one free."""
    queue = list(statements)
    lock = threading.Lock()
    failures: list[BaseException] = []

    def work() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '512MB'")
            # A B-tree build may use one more process besides its own.
            conn.execute("SET max_parallel_maintenance_workers = 1")
            while True:
                with lock:
                    if not queue or failures:
                        return
                    statement = queue.pop(0)
                try:
                    conn.execute(statement)
                except BaseException as exc:
                    with lock:
                        failures.append(exc)
                    return

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def _timed(parts: dict[str, float], name: str, step: Callable[[], object]) -> None:
    started = time.perf_counter()
    step()
    parts[name] = time.perf_counter() - started


def fill(
    url: str,
    *,
    rows: int,
    config: str,
    now: object,
    valid: object,
    parts: dict[str, float],
    beside_indexes: Callable[[], object] = lambda: None,
) -> None:
    """Fill the migrated database at ``url`` with ``rows`` live listings, noting the
    seconds each part took in ``parts``. ``beside_indexes`` runs once the rows are
    committed, while the indexes are built (work that reads the rows, not the indexes).
    """
    with (
        psycopg.connect(url) as load,
        psycopg.connect(url, autocommit=True) as generate,
    ):
        indexes = load.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'board_listing' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        ).fetchall()
        # One transaction: truncated here, the table takes COPY FREEZE.
        load.execute("TRUNCATE board_listing, board_company CASCADE")
        for name, _ in indexes:
            load.execute(f'DROP INDEX "{name}"')
        company_ids = [
            row[0]
            for row in load.execute(
                "INSERT INTO board_company (source, external_id, name, slug) "
                f"SELECT 'bench', 'c' || i, 'Company ' || i, 'company-' || i "
                f"FROM generate_series(1, {COMPANIES}) AS i ORDER BY i RETURNING id"
            ).fetchall()
        ]
        company_ids.sort()
        _timed(parts, "pieces", lambda: _pieces(generate, config, company_ids))
        # The vocabulary the board keeps as it publishes (search_index): what spelling
        # suggestions read and what tells a whole word from one typed in part.
        load.cursor().executemany(
            "INSERT INTO board_searchword (word) VALUES (%s) ON CONFLICT DO NOTHING",
            [(word,) for word in sorted(_vocabulary())],
        )

        def copy() -> None:
            generate.execute("SELECT setseed(%s)", [SEED])
            generate.execute(_DRAWS, {"rows": rows, "now": now})
            generate.execute("ANALYZE bench_draws")
            rows_sql = psycopg.ClientCursor(generate).mogrify(_ROWS, {"valid": valid})
            with (
                generate.cursor().copy(f"COPY ({rows_sql}) TO STDOUT (FORMAT binary)") as out,
                load.cursor().copy(
                    f"COPY board_listing ({', '.join(COLUMNS)}) FROM STDIN (FORMAT binary, FREEZE)"
                ) as into,
            ):
                for block in out:
                    into.write(block)
            # The ids were given (row i is listing i, as a fresh table would number
            # them): the sequence goes on after them.
            load.execute("SELECT setval(pg_get_serial_sequence('board_listing', 'id'), %s)", [rows])
            load.commit()

        _timed(parts, "rows", copy)
    # The GIN index takes longest (and cannot use parallel workers): it starts first,
    # the B-trees are built beside it on the other connection.
    builds = sorted((sql for _, sql in indexes), key=lambda sql: "USING gin" not in sql)
    waiting = threading.Thread(target=_timed, args=(parts, "beside", beside_indexes))
    waiting.start()
    _timed(parts, "indexes", lambda: _in_parallel(url, builds))
    waiting.join()
