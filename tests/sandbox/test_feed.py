"""Job Board API contract (job-board-api.md §2-§6) against the sandbox over HTTP."""

from __future__ import annotations

from datetime import timedelta

from partner.sandbox.models import PostingStatus, SandboxPosting
from partner.sandbox.state import sandbox_now

RATE_HEADERS = (
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Concurrent-Limit",
    "X-RateLimit-Concurrent-Remaining",
)


def assert_marketplace_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    body = response.json()
    assert body["httpCode"] == str(status)
    assert body["code"] == code
    assert body["id"]
    assert body["message"]
    assert body["helpUrl"].endswith(f"/sandbox/v1/errors/{code}")
    return body


# --- auth -----------------------------------------------------------------
def test_a_missing_key_gets_401_with_a_marketplace_error_and_rate_headers(anonymous):
    response = anonymous.get("/feed/publications")
    assert_marketplace_error(response, 401, "unauthorized")
    for header in RATE_HEADERS:
        assert header in response.headers


def test_a_wrong_key_gets_401(anonymous):
    response = anonymous.get("/feed/publications", headers={"X-SmartToken": "nope"})
    assert_marketplace_error(response, 401, "unauthorized")


def test_the_api_key_query_parameter_is_accepted_and_checked_first(anonymous, sandbox, posting):
    ok = anonymous.get("/feed/publications", params={"apiKey": sandbox.token})
    assert ok.status_code == 200
    wrong_first = anonymous.get(
        "/feed/publications",
        params={"apiKey": "wrong"},
        headers={"X-SmartToken": sandbox.token},
    )
    assert wrong_first.status_code == 401


def test_another_partners_posting_is_not_found(api, sandbox):
    from partner.sandbox.services import ensure_partner

    other = ensure_partner(token="other-partner-" + "1" * 50, name="Other board")
    foreign = sandbox.create_posting(partner=other, name="Foreign job")
    assert api.get(f"/feed/publications/{foreign.id}").status_code == 404
    listed = api.get("/feed/publications", params={"status": "Pending"}).json()
    assert listed["totalFound"] == "0"
    offers = api.get("/v1/offers", params={"postingId": foreign.id}).json()
    assert offers["totalFound"] == 0


# --- list -----------------------------------------------------------------
def test_the_feed_page_has_numbers_as_strings_and_the_provider(api, posting):
    response = api.get("/feed/publications", params={"status": "Pending", "limit": 100})
    assert response.status_code == 200
    page = response.json()
    assert page["Provider"] == "Smartrecruiters"
    assert (page["offset"], page["limit"], page["totalFound"]) == ("0", "100", "1")
    job = page["jobs"][0]
    assert job["id"] == str(posting.id)
    assert job["uuid"] == str(posting.job.uuid)
    assert job["status"] == "Pending"
    assert job["postedDate"].endswith("Z")
    assert len(job["postedDate"]) == 24
    assert job["location"]["countryCode"] == "de"
    assert isinstance(job["location"]["latitude"], str)
    for header in RATE_HEADERS:
        assert header in response.headers


def test_without_status_the_feed_lists_pending_postings_of_the_last_30_days(api, sandbox):
    now = sandbox_now()
    recent = sandbox.create_posting(name="Recent", posted_date=now - timedelta(days=29))
    sandbox.create_posting(name="Old", posted_date=now - timedelta(days=31), posting_period=60)
    active = sandbox.create_posting(name="Active")
    SandboxPosting.objects.filter(pk=active.pk).update(status=PostingStatus.ACTIVE)
    ids = [j["id"] for j in api.get("/feed/publications").json()["jobs"]]
    assert ids == [str(recent.id)]


def test_without_updated_after_an_explicit_status_lists_only_the_last_30_days(api, sandbox):
    # job-board-api.md §2: "If no value is provided, only postings created in the last
    # 30 days will be returned", whatever the status filter.
    now = sandbox_now()
    sandbox.create_posting(name="Old", posted_date=now - timedelta(days=45), posting_period=90)
    recent = sandbox.create_posting(name="Recent", posted_date=now - timedelta(days=29))
    for status in ("Pending", "Pending,toUnpost"):
        ids = [j["id"] for j in api.get(f"/feed/publications?status={status}").json()["jobs"]]
        assert ids == [str(recent.id)], status


def test_an_old_posting_moved_to_to_unpost_is_listed_only_with_updated_after(api, sandbox):
    now = sandbox_now()
    old = sandbox.create_posting(
        name="Old", posted_date=now - timedelta(days=45), posting_period=90
    )
    sandbox.remove_posting(old)
    assert api.get("/feed/publications?status=toUnpost").json()["totalFound"] == "0"
    cutoff = (now - timedelta(days=46)).isoformat()
    page = api.get("/feed/publications", params={"status": "toUnpost", "updatedAfter": cutoff})
    assert [j["id"] for j in page.json()["jobs"]] == [str(old.id)]


def test_creation_window_days_sets_the_window_and_zero_turns_it_off(api, sandbox):
    now = sandbox_now()
    old = sandbox.create_posting(
        name="Old", posted_date=now - timedelta(days=45), posting_period=90
    )
    sandbox.set_switches(creation_window_days=60)
    assert [j["id"] for j in api.get("/feed/publications?status=Pending").json()["jobs"]] == [
        str(old.id)
    ]
    sandbox.set_switches(creation_window_days=0)
    assert api.get("/feed/publications?status=Pending").json()["totalFound"] == "1"
    sandbox.set_switches(creation_window_days=10)
    assert api.get("/feed/publications?status=Pending").json()["totalFound"] == "0"


def test_status_takes_a_comma_separated_list(api, sandbox):
    pending = sandbox.create_posting(name="Pending one")
    removed = sandbox.create_posting(name="Removed one")
    sandbox.remove_posting(removed)
    sandbox.create_posting(name="Active one")
    SandboxPosting.objects.filter(name="Active one").update(status=PostingStatus.ACTIVE)
    page = api.get("/feed/publications", params={"status": "Pending,toUnpost"}).json()
    assert {j["id"] for j in page["jobs"]} == {str(pending.id), str(removed.id)}


def test_an_unknown_or_miscased_status_is_a_400(api, sandbox):
    sandbox.set_switches(rate_limit=False)  # many requests in one test
    for status in ("pending", "Closed", ",", "toUnPost", "Pending,Live"):
        response = api.get("/feed/publications", params={"status": status})
        assert_marketplace_error(response, 400, "invalid_request")
    # A trailing comma names no extra status.
    assert api.get("/feed/publications", params={"status": "Pending,"}).status_code == 200


PAGING_CASES = [
    ({"limit": "0"}, True),
    ({"limit": "100"}, True),
    ({"limit": "101"}, False),
    ({"limit": "-1"}, False),
    ({"limit": "ten"}, False),
    ({"offset": "-5"}, False),
    ({"offset": "abc"}, False),
    ({"offset": "1000"}, True),
    ({"updatedAfter": "yesterday"}, False),
    ({"updatedAfter": "2025-03-04T09:15:02"}, False),
    ({"updatedAfter": "2025-03-04T09:15:02.000Z"}, True),
    ({"updatedAfter": "2025-03-04T09:15:02+01:00"}, True),
]


def test_paging_and_date_parameters_are_validated(api, sandbox):
    sandbox.set_switches(rate_limit=False)  # many requests in one test
    for params, ok in PAGING_CASES:
        response = api.get("/feed/publications", params={"status": "Pending", **params})
        if ok:
            assert response.status_code == 200, params
        else:
            assert_marketplace_error(response, 400, "invalid_request")


def test_limit_zero_returns_the_count_and_no_jobs(api, sandbox):
    sandbox.create_posting(name="One")
    page = api.get("/feed/publications", params={"status": "Pending", "limit": 0}).json()
    assert page["totalFound"] == "1"
    assert page["jobs"] == []


def test_pages_are_ordered_by_posted_date_then_id(api, sandbox):
    now = sandbox_now()
    later = sandbox.create_posting(name="Later", posted_date=now - timedelta(days=1))
    earlier = sandbox.create_posting(name="Earlier", posted_date=now - timedelta(days=3))
    same_a = sandbox.create_posting(name="Same A", posted_date=now - timedelta(days=2))
    same_b = sandbox.create_posting(name="Same B", posted_date=same_a.posted_date)
    first = api.get("/feed/publications", params={"status": "Pending", "limit": 2}).json()
    second = api.get(
        "/feed/publications", params={"status": "Pending", "limit": 2, "offset": 2}
    ).json()
    ids = [j["id"] for j in first["jobs"] + second["jobs"]]
    assert ids == [str(p.id) for p in (earlier, same_a, same_b, later)]
    assert first["totalFound"] == second["totalFound"] == "4"
    assert second["offset"] == "2"


def test_each_page_is_evaluated_against_the_current_state(api, sandbox):
    postings = [sandbox.create_posting(name=f"Job {i}") for i in range(4)]
    first = api.get("/feed/publications", params={"status": "Pending", "limit": 2}).json()
    # The partner publishes the first page; those postings leave the Pending set.
    for job in first["jobs"]:
        assert api.put(f"/feed/publications/{job['id']}", json={"status": "Active",
                       "liveUrl": "https://board.example/x"}).status_code == 200  # fmt: skip
    second = api.get(
        "/feed/publications", params={"status": "Pending", "limit": 2, "offset": 2}
    ).json()
    # No cursor: the later page shifted, so offset 2 of the 2 remaining is empty.
    assert second["totalFound"] == "2"
    assert second["jobs"] == []
    assert len(postings) == 4


def test_updated_after_selects_postings_created_after_it(api, sandbox):
    # SR documents updatedAfter as "List postings created after the specified date".
    now = sandbox_now()
    old = sandbox.create_posting(
        name="Old", posted_date=now - timedelta(days=10), posting_period=90
    )
    newer = sandbox.create_posting(name="Newer", posted_date=now - timedelta(days=3))
    cutoff = (now - timedelta(days=5)).isoformat()
    page = api.get("/feed/publications", params={"status": "Pending", "updatedAfter": cutoff})
    assert [j["id"] for j in page.json()["jobs"]] == [str(newer.id)]
    # A status change does not make a posting "created after" the cutoff.
    api.put(f"/feed/publications/{old.id}", json={"status": "UnderPosting"})
    page = api.get(
        "/feed/publications", params={"status": "UnderPosting", "updatedAfter": cutoff}
    ).json()
    assert page["jobs"] == []
    # An older cutoff reaches back past the 30-day window.
    sandbox.advance_clock(days=40)
    cutoff = (now - timedelta(days=11)).isoformat()
    page = api.get(
        "/feed/publications", params={"status": "UnderPosting", "updatedAfter": cutoff}
    ).json()
    assert [j["id"] for j in page["jobs"]] == [str(old.id)]


# --- switches on the feed shape -------------------------------------------
def test_numbers_as_numbers_and_content_key_switches(api, sandbox, posting):
    sandbox.set_switches(numbers_as_numbers=True, content_key=True)
    page = api.get("/feed/publications", params={"status": "Pending"}).json()
    assert page["totalFound"] == 1
    assert page["offset"] == 0
    assert page["limit"] == 100
    assert "jobs" not in page
    assert page["content"][0]["id"] == str(posting.id)


def test_video_url_moves_to_the_top_level_when_switched(api, sandbox):
    posting = sandbox.create_posting(
        name="Video", job_ad={"jobDescription": "<p>x</p>", "videoUrl": "https://v.example/1"}
    )
    normal = api.get(f"/feed/publications/{posting.id}").json()
    assert normal["jobAd"]["videoUrl"] == "https://v.example/1"
    assert "videoUrl" not in normal
    sandbox.set_switches(video_url_top_level=True)
    moved = api.get(f"/feed/publications/{posting.id}").json()
    assert moved["videoUrl"] == "https://v.example/1"
    assert "videoUrl" not in moved["jobAd"]


def test_empty_objects_makes_some_object_fields_empty_or_missing(api, sandbox):
    postings = [sandbox.create_posting(name=f"Job {i}") for i in range(6)]
    sandbox.set_switches(empty_objects=True)
    jobs = api.get("/feed/publications", params={"status": "Pending"}).json()["jobs"]
    keys = ("location", "company", "creator", "industry", "function", "jobAd")
    emptied = sum(1 for j in jobs for k in keys if j.get(k) == {})
    missing = sum(1 for j in jobs for k in keys if k not in j)
    assert emptied > 0
    assert missing > 0
    assert all(j["id"] and j["uuid"] and j["name"] for j in jobs)
    # Stable per posting: a second read looks the same.
    assert api.get("/feed/publications", params={"status": "Pending"}).json()["jobs"] == jobs
    assert len(postings) == 6


# --- get ------------------------------------------------------------------
def test_get_by_id_returns_the_posting(api, posting):
    body = api.get(f"/feed/publications/{posting.id}").json()
    assert body["id"] == str(posting.id)
    assert body["name"] == "Senior Backend Engineer"


def test_get_an_unknown_posting_is_a_marketplace_404(api):
    for posting_id in ("999999999", "abc", "12a"):
        assert_marketplace_error(api.get(f"/feed/publications/{posting_id}"), 404, "not_found")


# --- put: the §5 table ----------------------------------------------------
ALL = ["Pending", "UnderPosting", "Active", "Error", "toUnpost", "Inactive"]
ALLOWED = {
    "Pending": {"UnderPosting", "Active", "Error", "Inactive"},
    "UnderPosting": {"UnderPosting", "Active", "Error", "Inactive"},
    "Active": {"UnderPosting", "Active", "Error", "Inactive"},
    "Error": {"UnderPosting", "Active", "Error", "Inactive"},
    "toUnpost": {"Error", "Inactive"},
    "Inactive": {"Error", "Inactive"},
}


def test_put_follows_the_transition_table(api, sandbox):
    sandbox.set_switches(rate_limit=False)  # 36 requests in one test
    for current, requested in ((c, r) for c in ALL for r in ALL):
        posting = sandbox.create_posting(name=f"{current} to {requested}")
        SandboxPosting.objects.filter(pk=posting.pk).update(status=current)
        body = {"status": requested, "liveUrl": "https://board.example/jobs/1", "comment": "c"}
        response = api.put(f"/feed/publications/{posting.id}", json=body)
        if requested in ALLOWED[current]:
            assert response.status_code == 200, (current, requested)
            assert response.json()["status"] == requested
        else:
            code = response.json()["code"]
            assert response.status_code == 400, (current, requested)
            assert code == "invalid_status_transition"
            posting.refresh_from_db()
            assert posting.status == current


def test_a_refused_transition_names_the_current_status_and_the_allowed_ones(api, sandbox):
    posting = sandbox.create_posting(name="Gone")
    sandbox.remove_posting(posting)
    body = assert_marketplace_error(
        api.put(f"/feed/publications/{posting.id}", json={"status": "Active", "liveUrl": "x"}),
        400,
        "invalid_status_transition",
    )
    assert body["message"] == f"Posting {posting.id} is toUnpost; allowed: Inactive, Error"


def test_a_put_without_a_valid_status_is_invalid_request(api, sandbox, posting):
    sandbox.set_switches(rate_limit=False)  # many requests in one test
    bodies = [
        {},
        {"status": "Live"},
        {"status": None},
        [],
        "text",
        {"status": "Active", "liveUrl": 3},
        {"status": "Error", "comment": ["x"]},
    ]
    for body in bodies:
        response = api.put(f"/feed/publications/{posting.id}", json=body)
        assert_marketplace_error(response, 400, "invalid_request")
    posting.refresh_from_db()
    assert posting.status == "Pending"


def test_a_put_with_a_non_json_body_is_invalid_request(api, posting):
    response = api.put(
        f"/feed/publications/{posting.id}",
        content=b"status=Active",
        headers={"Content-Type": "text/plain"},
    )
    assert_marketplace_error(response, 400, "invalid_request")


def test_put_to_an_unknown_posting_is_404(api):
    assert_marketplace_error(
        api.put("/feed/publications/123", json={"status": "Active"}), 404, "not_found"
    )


def test_active_records_the_live_url_and_error_the_comment_in_the_history(api, posting):
    api.put(f"/feed/publications/{posting.id}", json={"status": "UnderPosting"})
    api.put(f"/feed/publications/{posting.id}", json={"status": "Error", "comment": "No city"})
    response = api.put(
        f"/feed/publications/{posting.id}",
        json={"status": "Active", "liveUrl": "https://board.example/jobs/7"},
    )
    assert response.json()["status"] == "Active"
    posting.refresh_from_db()
    assert posting.live_url == "https://board.example/jobs/7"
    assert posting.comment == "No city"
    history = [(e.actor, e.from_status, e.to_status) for e in posting.events.all()]
    assert history == [
        ("sr", "", "Pending"),
        ("partner", "Pending", "UnderPosting"),
        ("partner", "UnderPosting", "Error"),
        ("partner", "Error", "Active"),
    ]


def test_repeating_the_current_status_is_accepted_and_updates_last_modified(api, posting):
    first = api.put(f"/feed/publications/{posting.id}", json={"status": "Active", "liveUrl": "u"})
    posting.refresh_from_db()
    before = posting.last_modified
    again = api.put(f"/feed/publications/{posting.id}", json={"status": "Active", "liveUrl": "u"})
    posting.refresh_from_db()
    assert first.status_code == again.status_code == 200
    assert posting.last_modified >= before
    assert posting.events.count() == 3


def test_require_live_url_refuses_active_without_it(api, sandbox, posting):
    assert api.put(f"/feed/publications/{posting.id}", json={"status": "Active"}).status_code == 200
    sandbox.set_switches(require_live_url=True)
    assert_marketplace_error(
        api.put(f"/feed/publications/{posting.id}", json={"status": "Active"}),
        400,
        "invalid_request",
    )


def test_transition_checks_off_accepts_any_partner_status(api, sandbox, posting):
    sandbox.remove_posting(posting)
    sandbox.set_switches(transition_checks=False)
    response = api.put(
        f"/feed/publications/{posting.id}", json={"status": "Active", "liveUrl": "u"}
    )
    assert response.status_code == 200
    # SR's own statuses stay SR's.
    refused = api.put(f"/feed/publications/{posting.id}", json={"status": "Pending"})
    assert_marketplace_error(refused, 400, "invalid_status_transition")


# --- offers ---------------------------------------------------------------
def test_the_offer_carries_the_posting_period_and_numbers_as_numbers(api, sandbox):
    posting = sandbox.create_posting(name="Sixty", posting_period=60)
    page = api.get("/v1/offers", params={"postingId": posting.id}).json()
    assert (page["limit"], page["offset"], page["totalFound"]) == (100, 0, 1)
    offer = page["content"][0]
    assert offer["terms"]["postingPeriod"] == 60
    assert offer["terms"]["price"] == {"amount": 150, "currencyCode": "EUR"}
    assert "existingContract" not in offer["terms"]
    assert offer["createDate"].endswith("+0000")
    assert offer["status"] == "ACTIVE"


def test_an_offer_can_carry_existing_contract_credentials(api, sandbox):
    posting = sandbox.create_posting(
        name="Contract", with_contract=True, contract_login="acme-hr", contract_password="s3cret"
    )
    offer = api.get("/v1/offers", params={"postingId": posting.id}).json()["content"][0]
    assert offer["terms"]["existingContract"] == {"login": "acme-hr", "password": "s3cret"}


def test_an_offer_may_omit_the_posting_period(api, sandbox):
    posting = sandbox.create_posting(name="No period", posting_period=None)
    offer = api.get("/v1/offers", params={"postingId": posting.id}).json()["content"][0]
    assert "postingPeriod" not in offer["terms"]
    posting.refresh_from_db()
    assert posting.expires_at - posting.posted_date == timedelta(days=30)


def test_offers_for_an_unknown_posting_are_an_empty_page(api):
    for posting_id in ("", "999999", "abc"):
        page = api.get("/v1/offers", params={"postingId": posting_id})
        assert page.status_code == 200
        assert page.json() == {"limit": 100, "offset": 0, "totalFound": 0, "content": []}
    assert api.get("/v1/offers").json()["totalFound"] == 0


# --- lifecycle: remove, repost, clock -------------------------------------
def test_remove_moves_a_posting_to_to_unpost(api, sandbox, posting):
    sandbox.remove_posting(posting)
    page = api.get("/feed/publications", params={"status": "toUnpost"}).json()
    assert [j["id"] for j in page["jobs"]] == [str(posting.id)]


def test_repost_makes_a_new_pending_posting_with_the_same_uuid(api, sandbox, posting):
    new = sandbox.repost_posting(posting, name="Senior Backend Engineer (m/f/d)")
    posting.refresh_from_db()
    assert new.id != posting.id
    assert new.job.uuid == posting.job.uuid
    assert posting.status == "toUnpost"
    assert posting.replaced_by_id == new.id
    pending = api.get("/feed/publications", params={"status": "Pending"}).json()["jobs"]
    assert [(j["id"], j["uuid"], j["name"]) for j in pending] == [
        (str(new.id), str(posting.job.uuid), "Senior Backend Engineer (m/f/d)")
    ]


def test_advancing_the_clock_past_the_posting_period_expires_to_to_unpost(api, sandbox):
    short = sandbox.create_posting(name="Short", posting_period=14)
    long = sandbox.create_posting(name="Long", posting_period=60)
    api.put(f"/feed/publications/{short.id}", json={"status": "Active", "liveUrl": "u"})
    sandbox.advance_clock(days=15)
    page = api.get("/feed/publications", params={"status": "toUnpost"}).json()
    assert [j["id"] for j in page["jobs"]] == [str(short.id)]
    short.refresh_from_db()
    assert short.events.last().actor == "clock"
    long.refresh_from_db()
    assert long.status == "Pending"


def test_expiry_is_also_applied_when_time_passes_without_advance(api, sandbox):
    posting = sandbox.create_posting(name="Expired", posted_date=sandbox_now() - timedelta(days=31))
    assert api.get(f"/feed/publications/{posting.id}").json()["status"] == "toUnpost"
