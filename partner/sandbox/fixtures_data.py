"""Static material the seeder draws from: SmartRecruiters-like lists of values, real cities,
job ad sections (some hostile on purpose), and application form templates.

Labels that the Application API localises are ``{"en": ..., "de": ...}`` dicts.
"""

from __future__ import annotations

from typing import Any

COMPANY_NAMES = [
    "Acme Corp", "Globex", "Initech", "Umbrella Health", "Stark Mobility", "Wayne Logistics",
    "Hooli", "Vandelay Industries", "Soylent Foods", "Tyrell Robotics", "Cyberdyne Systems",
    "Wonka Confectionery", "Gringotts Finance", "Oscorp Labs", "Nakatomi Trading",
    "Aperture Science", "Black Mesa Energy", "Monarch Solutions", "Pied Piper", "Massive Dynamic",
    "Duff Beverages", "Prestige Worldwide", "Bluth Homes", "Dunder Mifflin Paper",
    "Sterling Cooper Media", "Rekall Travel", "Virtucon", "Kramerica", "Ollivander Crafts",
    "Nordlicht Energie", "Bergmann & Söhne", "Lumen Analytics", "Fjord Maritime",
    "Atlas Insurance", "Helix Biotech", "Quartz Retail", "Cobalt Cloud", "Meridian Hotels",
    "Tandem Mobility", "Orbit Telecom",
]  # fmt: skip
COMPANY_TAGLINES = [
    "builds software that keeps supply chains moving",
    "makes healthcare simpler for millions of patients",
    "designs the cities' next generation of transport",
    "is Europe's fastest-growing independent retailer",
    "helps small businesses get paid on time",
    "runs renewable energy parks across three continents",
    "brings fresh food from local farms to your door",
    "insures what matters to families and founders",
]

# (city, region, regionCode, country, countryCode, latitude, longitude)
CITIES = [
    ("Berlin", "Berlin", "BE", "Germany", "de", "52.520008", "13.404954"),
    ("Munich", "Bavaria", "BY", "Germany", "de", "48.137154", "11.576124"),
    ("Hamburg", "Hamburg", "HH", "Germany", "de", "53.551086", "9.993682"),
    ("Cologne", "North Rhine-Westphalia", "NW", "Germany", "de", "50.937531", "6.960279"),
    ("Frankfurt am Main", "Hesse", "HE", "Germany", "de", "50.110924", "8.682127"),
    ("Vienna", "Vienna", "9", "Austria", "at", "48.208176", "16.373819"),
    ("Zurich", "Zurich", "ZH", "Switzerland", "ch", "47.376888", "8.541694"),
    ("Paris", "Île-de-France", "IDF", "France", "fr", "48.856613", "2.352222"),
    ("Lyon", "Auvergne-Rhône-Alpes", "ARA", "France", "fr", "45.764043", "4.835659"),
    ("Amsterdam", "North Holland", "NH", "Netherlands", "nl", "52.367573", "4.904139"),
    ("Brussels", "Brussels-Capital", "BRU", "Belgium", "be", "50.850346", "4.351721"),
    ("London", "England", "ENG", "United Kingdom", "gb", "51.507351", "-0.127758"),
    ("Manchester", "England", "ENG", "United Kingdom", "gb", "53.480759", "-2.242631"),
    ("Dublin", "Leinster", "L", "Ireland", "ie", "53.349805", "-6.260310"),
    ("Madrid", "Community of Madrid", "MD", "Spain", "es", "40.416775", "-3.703790"),
    ("Barcelona", "Catalonia", "CT", "Spain", "es", "41.385064", "2.173403"),
    ("Lisbon", "Lisbon", "11", "Portugal", "pt", "38.722252", "-9.139337"),
    ("Milan", "Lombardy", "25", "Italy", "it", "45.464204", "9.189982"),
    ("Warsaw", "Masovian", "14", "Poland", "pl", "52.229676", "21.012229"),
    ("Kraków", "Lesser Poland", "12", "Poland", "pl", "50.064650", "19.944980"),
    ("Prague", "Prague", "10", "Czechia", "cz", "50.075538", "14.437800"),
    ("Copenhagen", "Capital Region", "84", "Denmark", "dk", "55.676098", "12.568337"),
    ("Stockholm", "Stockholm County", "AB", "Sweden", "se", "59.329323", "18.068581"),
    ("Oslo", "Oslo", "03", "Norway", "no", "59.913869", "10.752245"),
    ("Helsinki", "Uusimaa", "18", "Finland", "fi", "60.169856", "24.938379"),
    ("New York", "New York", "NY", "United States", "us", "40.712776", "-74.005974"),
    ("San Francisco", "California", "CA", "United States", "us", "37.774929", "-122.419418"),
    ("Austin", "Texas", "TX", "United States", "us", "30.267153", "-97.743057"),
    ("Toronto", "Ontario", "ON", "Canada", "ca", "43.653225", "-79.383186"),
    ("Sydney", "New South Wales", "NSW", "Australia", "au", "-33.868820", "151.209296"),
    ("Singapore", "Singapore", "01", "Singapore", "sg", "1.352083", "103.819836"),
]

INDUSTRIES = [
    ("computer_software", "Computer Software"),
    ("information_technology_and_services", "Information Technology and Services"),
    ("hospital_health_care", "Hospital & Health Care"),
    ("financial_services", "Financial Services"),
    ("retail", "Retail"),
    ("logistics_and_supply_chain", "Logistics and Supply Chain"),
    ("renewables_environment", "Renewables & Environment"),
    ("insurance", "Insurance"),
    ("hospitality", "Hospitality"),
    ("telecommunications", "Telecommunications"),
    ("automotive", "Automotive"),
    ("food_production", "Food Production"),
]
FUNCTIONS = [
    ("engineering", "Engineering"),
    ("information_technology", "Information Technology"),
    ("sales", "Sales"),
    ("marketing", "Marketing"),
    ("finance", "Finance"),
    ("human_resources", "Human Resources"),
    ("customer_service", "Customer Service"),
    ("operations", "Operations"),
    ("design", "Design"),
    ("product_management", "Product Management"),
    ("health_care_provider", "Health Care Provider"),
    ("legal", "Legal"),
]
EXPERIENCE_LEVELS = [
    ("internship", "Internship"),
    ("entry_level", "Entry Level"),
    ("associate", "Associate"),
    ("mid_senior_level", "Mid-Senior Level"),
    ("director", "Director"),
    ("executive", "Executive"),
]
EMPLOYMENT_TYPES = [
    ("permanent", "Full-time"),
    ("part_time", "Part-time"),
    ("contract", "Contract"),
    ("temporary", "Temporary"),
    ("intern", "Internship"),
]

# Title -> function id, so that titles and functions agree.
JOB_TITLES = [
    ("Senior Backend Engineer", "engineering"),
    ("Frontend Developer (React)", "engineering"),
    ("Site Reliability Engineer", "engineering"),
    ("Data Engineer", "engineering"),
    ("Machine Learning Engineer", "engineering"),
    ("IT Support Specialist", "information_technology"),
    ("Cloud Security Analyst", "information_technology"),
    ("Account Executive", "sales"),
    ("Inside Sales Representative", "sales"),
    ("Key Account Manager", "sales"),
    ("Content Marketing Manager", "marketing"),
    ("Performance Marketing Specialist", "marketing"),
    ("Financial Controller", "finance"),
    ("Accounts Payable Clerk", "finance"),
    ("HR Business Partner", "human_resources"),
    ("Talent Acquisition Specialist", "human_resources"),
    ("Customer Success Manager", "customer_service"),
    ("Support Agent (German speaking)", "customer_service"),
    ("Warehouse Operations Lead", "operations"),
    ("Supply Chain Planner", "operations"),
    ("Product Designer", "design"),
    ("UX Researcher", "design"),
    ("Product Manager, Payments", "product_management"),
    ("Registered Nurse", "health_care_provider"),
    ("Physiotherapist", "health_care_provider"),
    ("Legal Counsel", "legal"),
]

FIRST_NAMES = [
    "Jane", "Max", "Sofia", "Lukas", "Amélie", "Noah", "Emma", "Mateo", "Olivia", "Jonas",
    "Zoë", "Ahmed", "Mia", "Luca", "Hannah", "Kenji", "Anna", "Jakub", "Fatima", "Oskar",
]  # fmt: skip
LAST_NAMES = [
    "Roe", "Müller", "Schmidt", "García", "Rossi", "Dubois", "Novak", "Jensen", "O'Brien",
    "Kowalski", "Nakamura", "Silva", "Fischer", "Weber", "Okafor", "Lindqvist", "Costa",
]  # fmt: skip

JOB_DESCRIPTIONS = [
    "<p>You will design, build and run the services behind our product.</p>"
    "<ul><li>Own features end to end</li><li>Review code and mentor colleagues</li>"
    "<li>Improve reliability and observability</li></ul>",
    "<p>As part of a small team you will shape how our customers experience us.</p>"
    "<ol><li>Plan and run campaigns</li><li>Measure what works</li>"
    "<li>Share what you learn</li></ol>",
    "<p>Join a friendly team that takes <strong>quality</strong> seriously.</p>"
    "<p>Your week: planning on Monday, focused work, a demo on Friday.</p>",
    "<h3>What you will do</h3><ul><li>Talk to customers every week</li>"
    "<li>Turn feedback into improvements</li><li>Work with product and engineering</li></ul>",
]
QUALIFICATIONS = [
    "<ul><li>Python or Go</li><li>Experience with PostgreSQL</li>"
    "<li>Clear written English</li></ul>",
    "<ul><li>3+ years in a similar role</li><li>German and English</li></ul>",
    "<ul><li>A relevant degree or equivalent experience</li><li>Curiosity</li></ul>",
    "<p>You enjoy <em>learning</em> and sharing. No formal degree required.</p>",
]
ADDITIONAL_INFORMATION = [
    "<p>Two office days a week; the rest is up to you.</p>",
    "<p>30 days of holiday, a learning budget and a public transport pass.</p>",
    "<p>We welcome applications from people of every background.</p>",
    "",
]
# Hostile fragments the partner's sanitiser must neutralise.
HOSTILE_HTML = [
    '<script>alert("xss")</script>',
    '<img src="x" onerror="alert(document.cookie)">',
    '<iframe src="https://evil.example/frame"></iframe>',
    '<a href="javascript:alert(1)">Apply here</a>',
    '<p onclick="steal()">Click for salary details</p>',
    '<style>body{display:none}</style><a href="JaVaScRiPt:void(0)">more</a>',
]
VIDEO_URLS = [
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://vimeo.com/76979871",
]

OFFER_CATALOG = [
    ("post-30d", "30 Day Job Posting", "One job for 30 days", 30, 150),
    ("post-60d", "60 Day Job Posting", "One job for 60 days", 60, 240),
    ("post-14d", "Two Week Boost", "One job for 14 days", 14, 90),
]


# ---------------------------------------------------------------------------
# Application form templates
# ---------------------------------------------------------------------------
def _l(en: str, de: str) -> dict[str, str]:
    return {"en": en, "de": de}


_YES_NO = [{"id": "yes", "label": _l("Yes", "Ja")}, {"id": "no", "label": _l("No", "Nein")}]
_LANGUAGES: dict[str, Any] = {
    "id": "languages",
    "label": _l("Languages", "Sprachen"),
    "repeatable": True,
    "fields": [
        {
            "id": "language",
            "label": _l("Language", "Sprache"),
            "type": "SINGLE_SELECT",
            "required": True,
            "values": [
                {"id": "en", "label": _l("English", "Englisch")},
                {"id": "de", "label": _l("German", "Deutsch")},
                {"id": "fr", "label": _l("French", "Französisch")},
                {"id": "es", "label": _l("Spanish", "Spanisch")},
            ],
        },
        {
            "id": "level",
            "label": _l("Level", "Niveau"),
            "type": "SINGLE_SELECT",
            "required": True,
            "values": [
                {"id": "basic", "label": _l("Basic", "Grundkenntnisse")},
                {"id": "fluent", "label": _l("Fluent", "Fließend")},
                {"id": "native", "label": _l("Native", "Muttersprache")},
            ],
        },
    ],
}
_GENDER: dict[str, Any] = {
    "key": "gender",
    "label": _l("Gender", "Geschlecht"),
    "repeatable": False,
    "fields": [
        {
            "id": "value",
            "label": "",
            "type": "SINGLE_SELECT",
            "required": False,
            "complianceType": "DIVERSITY",
            "values": [
                {"id": "f", "label": _l("Female", "Weiblich")},
                {"id": "m", "label": _l("Male", "Männlich")},
                {"id": "d", "label": _l("Non-binary", "Divers")},
                {"id": "x", "label": _l("Prefer not to answer", "Keine Angabe")},
            ],
        }
    ],
}
# The contract's example (application-api.md §4) uses shorter option lists.
_EXAMPLE_LANGUAGES = {
    **_LANGUAGES,
    "fields": [
        {**_LANGUAGES["fields"][0], "values": _LANGUAGES["fields"][0]["values"][:2]},
        {**_LANGUAGES["fields"][1], "values": _LANGUAGES["fields"][1]["values"][1:]},
    ],
}
_EXAMPLE_GENDER = {
    **_GENDER,
    "fields": [
        {
            **_GENDER["fields"][0],
            "values": [_GENDER["fields"][0]["values"][0], _GENDER["fields"][0]["values"][3]],
        }
    ],
}
_SEPARATED_CONSENT = [
    {
        "scope": "SMART_RECRUIT",
        "required": True,
        "label": _l(
            "{brand} may process my data for this application.",
            "{brand} darf meine Daten für diese Bewerbung verarbeiten.",
        ),
    },
    {
        "scope": "SMART_CRM",
        "required": False,
        "label": _l(
            "Keep me in {brand}'s talent community.",
            "Nehmt mich in den Talentpool von {brand} auf.",
        ),
    },
]
_SINGLE_CONSENT = [
    {
        "scope": "SINGLE",
        "required": True,
        "label": _l(
            "I agree that {brand} processes my data as described in its privacy policy.",
            "Ich bin einverstanden, dass {brand} meine Daten gemäß Datenschutzerklärung "
            "verarbeitet.",
        ),
    }
]
_AI = _l(
    "Your application may be processed with AI.",
    "Ihre Bewerbung kann mit KI verarbeitet werden.",
)

# Questions carry a ``key``: the question id is uuid5(job uuid, key), like SR's UUIDs; a
# question with an ``id`` keeps it (SR's fixed ids such as ``languages``).
CONFIGURATIONS: dict[str, dict[str, Any]] = {
    # The contract's example (application-api.md §4).
    "standard": {
        "questions": [
            {
                "key": "permit",
                "label": _l(
                    "Are you authorised to work in {country}?",
                    "Dürfen Sie in {country} arbeiten?",
                ),
                "repeatable": False,
                "fields": [
                    {
                        "id": "value",
                        "label": "",
                        "type": "RADIO",
                        "required": True,
                        "values": _YES_NO,
                    }
                ],
            },
            {
                "key": "contract",
                "label": _l("Which contract type?", "Welche Vertragsart?"),
                "repeatable": False,
                "fields": [
                    {
                        "id": "value",
                        "label": "",
                        "type": "SINGLE_SELECT",
                        "required": True,
                        "values": [
                            {"id": "ct-perm", "label": _l("Permanent", "Festanstellung")},
                            {"id": "ct-contract", "label": _l("Contractor", "Freiberuflich")},
                        ],
                    }
                ],
            },
            {
                "key": "rate",
                "label": _l("Expected daily rate (EUR)", "Erwarteter Tagessatz (EUR)"),
                "repeatable": False,
                "fields": [{"id": "value", "label": "", "type": "INPUT_TEXT", "required": True}],
            },
            _EXAMPLE_LANGUAGES,
            {
                "key": "accurate",
                "label": _l("My information is accurate", "Meine Angaben sind korrekt"),
                "repeatable": False,
                "fields": [{"id": "confirm", "label": "", "type": "CHECKBOX", "required": True}],
            },
            _EXAMPLE_GENDER,
        ],
        "avatarUploadAvailable": False,
        "conditionals": [
            {
                "parent": "contract",
                "fieldId": "value",
                "valueIds": ["ct-contract"],
                "children": ["rate"],
            }
        ],
        "consent": _SEPARATED_CONSENT,
    },
    # Every other field type, a multi-field diversity block, single consent, avatar upload.
    "extended": {
        "questions": [
            {
                "key": "intro",
                "label": _l("Before you start", "Bevor Sie beginnen"),
                "repeatable": False,
                "fields": [
                    {
                        "id": "text",
                        "label": _l(
                            "This form takes about five minutes.",
                            "Das Formular dauert etwa fünf Minuten.",
                        ),
                        "type": "INFORMATION",
                    }
                ],
            },
            {
                "key": "motivation",
                "label": _l("Why do you want to join us?", "Warum möchten Sie zu uns?"),
                "repeatable": False,
                "fields": [{"id": "value", "label": "", "type": "TEXTAREA", "required": True}],
            },
            {
                "key": "skills",
                "label": _l("Which tools do you use?", "Welche Werkzeuge nutzen Sie?"),
                "repeatable": False,
                "fields": [
                    {
                        "id": "value",
                        "label": "",
                        "type": "MULTI_SELECT",
                        "required": False,
                        "values": [
                            {"id": "excel", "label": _l("Spreadsheets", "Tabellen")},
                            {"id": "sql", "label": _l("SQL", "SQL")},
                            {"id": "python", "label": _l("Python", "Python")},
                            {"id": "figma", "label": _l("Figma", "Figma")},
                        ],
                    }
                ],
            },
            {
                "id": "workPermit",
                "label": _l("Do you need a visa?", "Benötigen Sie ein Visum?"),
                "repeatable": False,
                "fields": [
                    {
                        "id": "value",
                        "label": "",
                        "type": "RADIO",
                        "required": True,
                        "values": _YES_NO,
                    }
                ],
            },
            {
                "key": "visa_details",
                "label": _l("Which visa do you need?", "Welches Visum benötigen Sie?"),
                "repeatable": False,
                "fields": [
                    {"id": "value", "label": "", "type": "INPUT_TEXT", "required": True},
                    {
                        "id": "since",
                        "label": _l("Current permit since", "Aktuelle Erlaubnis seit"),
                        "type": "INPUT_TEXT",
                        "required": False,
                    },
                ],
            },
            {
                "key": "relocation",
                "label": _l("Where could you work?", "Wo könnten Sie arbeiten?"),
                "repeatable": False,
                "fields": [
                    {
                        "id": "value",
                        "label": "",
                        "type": "CHECKBOX",
                        "required": False,
                        "values": [
                            {"id": "office", "label": _l("In the office", "Im Büro")},
                            {"id": "remote", "label": _l("Remote", "Remote")},
                            {"id": "travel", "label": _l("Travelling", "Auf Reisen")},
                        ],
                    }
                ],
            },
            {
                "key": "start",
                "label": _l("Earliest start date", "Frühester Eintrittstermin"),
                "repeatable": False,
                "fields": [{"id": "value", "label": "", "type": "INPUT_TEXT", "required": False}],
            },
            _LANGUAGES,
            {
                "id": "eeoInformation",
                "label": _l("Voluntary self-identification", "Freiwillige Angaben"),
                "repeatable": False,
                "fields": [
                    {
                        "id": "gender",
                        "label": _l("Gender", "Geschlecht"),
                        "type": "SINGLE_SELECT",
                        "required": False,
                        "complianceType": "DIVERSITY",
                        "values": _GENDER["fields"][0]["values"],
                    },
                    {
                        "id": "veteran",
                        "label": _l("Veteran status", "Veteranenstatus"),
                        "type": "RADIO",
                        "required": False,
                        "complianceType": "DIVERSITY",
                        "values": [
                            {"id": "veteran", "label": _l("Veteran", "Veteran")},
                            {"id": "not_veteran", "label": _l("Not a veteran", "Kein Veteran")},
                            {"id": "x", "label": _l("Prefer not to answer", "Keine Angabe")},
                        ],
                    },
                ],
            },
        ],
        "avatarUploadAvailable": True,
        "conditionals": [
            {
                "parent": "workPermit",
                "fieldId": "value",
                "valueIds": ["yes"],
                "children": ["visa_details"],
            }
        ],
        "consent": _SINGLE_CONSENT,
    },
    # No screening questions at all: identity, resume and consent only.
    "minimal": {
        "questions": [],
        "avatarUploadAvailable": False,
        "conditionals": [],
        "consent": _SINGLE_CONSENT,
    },
}
AI_DISCLOSURE = _AI
SR_PRIVACY_POLICY = "https://www.smartrecruiters.com/legal/candidate-privacy-policy"
