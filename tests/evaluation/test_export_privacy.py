"""Pseudonyms, exclusions, the small-office roll-up, dates and formula cells."""

import csv
import io
import re
import zipfile
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pandas as pd
import pytest
from django.utils import timezone

from accounts.models import User
from assessments.models import SurveyResponse
from common.spreadsheets import neutralise
from evaluation import pseudonymise
from evaluation.cohort import synthetic_users
from evaluation.exports.extract import utc_offsets
from learning.models import Enrolment
from tests.evaluation.conftest import Person, expected_pid, included_user_ids

pytestmark = pytest.mark.django_db


def read_long(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def bundle_texts(path) -> dict[str, bytes]:
    """Every file in the bundle, with the workbook's XML parts unpacked."""
    contents = {}
    with zipfile.ZipFile(path) as bundle:
        for name in bundle.namelist():
            data = bundle.read(name)
            if name.endswith(".xlsx"):
                with zipfile.ZipFile(io.BytesIO(data)) as book:
                    data = b"".join(book.read(part) for part in book.namelist())
            contents[name] = data
    return contents


# pids ------------------------------------------------------------------------------


def test_pid_is_a_keyed_hmac_of_the_user_id_cut_to_16_hex_characters(settings):
    pid = pseudonymise.pid(42, "project-a")
    assert pid == expected_pid(42, "project-a")
    assert re.fullmatch(r"[0-9a-f]{16}", pid)
    assert pseudonymise.pid(42, "project-a") == pid
    assert pseudonymise.pid(43, "project-a") != pid
    assert pseudonymise.pid(42, "project-b") != pid
    with pytest.raises(pseudonymise.UnknownKey):
        pseudonymise.pid(42, "nobody")


def test_the_same_person_has_one_pid_across_timepoints_and_modules(two_modules, export):
    first, second = two_modules
    person = Person(first).complete()
    Person(second, user=person.user).complete()
    other = Person(first).complete()
    frame = read_long(export("long"))
    mine = frame[frame["pid"] == expected_pid(person.user.pk)]
    assert set(mine["module"]) == {first.slug, second.slug}
    assert set(mine["timepoint"]) == {"pre", "post", "then"}
    assert set(frame["pid"]) == {expected_pid(person.user.pk), expected_pid(other.user.pk)}
    wide = pd.read_csv(export("wide"), dtype={"pid": str})
    assert Counter(wide["pid"])[expected_pid(person.user.pk)] == 2


def test_pids_under_two_keys_cannot_be_linked(world, export):
    a = read_long(export("long", key="project-a"))
    b = read_long(export("long", key="project-b"))
    assert len(a) == len(b)
    assert set(a["pid"]).isdisjoint(set(b["pid"]))
    assert {expected_pid(pk, "project-b") for pk in included_user_ids()} >= set(b["pid"])
    # Everything but the pid is the same, row for row once each file is put in the
    # same order: the keys change nothing else.
    columns = [c for c in a.columns if c != "pid"]
    assert Counter(map(tuple, a[columns].values)) == Counter(map(tuple, b[columns].values))


# What is never in a file -----------------------------------------------------------


def test_no_names_emails_staff_numbers_or_certificate_codes_in_any_file(world, export):
    User.objects.filter(pk=world.leader.user.pk).update(staff_number="STAFF-98765")
    path = export("bundle", name="export.zip")
    contents = bundle_texts(path)
    users = list(User.objects.all())
    codes = [c for c in Enrolment.objects.values_list("certificate_code", flat=True) if c]
    assert codes
    forbidden = (
        [u.email for u in users]
        + [u.last_name for u in users if u.last_name]
        + ["Synthetic", "STAFF-98765", "@example.com", "synthetic.invalid"]
        + codes
    )
    for name, data in contents.items():
        text = data.decode("latin-1")
        for value in forbidden:
            assert value not in text, (name, value)
    header = contents["long.csv"].decode().splitlines()[0].split(",")
    wide_header = contents["wide.csv"].decode().splitlines()[0].split(",")
    for columns in (header, wide_header):
        assert not {"id", "user", "user_id", "email", "name", "staff_number"} & set(columns)
    # The pid is never the user id.
    frame = read_long(io.BytesIO(contents["long.csv"]))
    assert not set(frame["pid"]) & {str(u.pk) for u in users}


def test_people_who_opted_out_are_left_out_of_every_file(world, export):
    path = export("bundle", name="export.zip")
    contents = bundle_texts(path)
    opted_out = set(User.objects.values_list("pk", flat=True)) - included_user_ids()
    # The seeded cohort has opt-outs with answers, and so has the leaver.
    assert world.leaver.user.pk in opted_out
    assert len(opted_out & set(synthetic_users().values_list("pk", flat=True))) >= 1
    for pk in opted_out:
        for name, data in contents.items():
            assert expected_pid(pk).encode() not in data, (name, pk)
    frame = read_long(io.BytesIO(contents["long.csv"]))
    # The returner opted out and back in: their latest choice counts.
    assert expected_pid(world.returner.user.pk) in set(frame["pid"])
    # Nobody else is missing: everyone included who answered anything is there.
    answered = set(SurveyResponse.objects.values_list("user_id", flat=True)) & included_user_ids()
    assert {expected_pid(pk) for pk in answered} <= set(frame["pid"])


def test_people_without_an_office_or_a_role_are_kept(disclosure, export):
    person = Person(disclosure, role=None, office=None).complete()
    frame = read_long(export("long"))
    rows = frame[frame["pid"] == expected_pid(person.user.pk)]
    assert set(rows["office"]) == {"Not recorded"}
    assert set(rows["region"]) == {"Not recorded"}
    assert set(rows["role"]) == {"Other"}


# Small offices -----------------------------------------------------------------------


def test_offices_with_fewer_than_k_people_show_their_region(world, export):
    frame = pd.read_csv(export("wide"), dtype=str, keep_default_na=False)
    people = {
        expected_pid(u.pk): u
        for u in User.objects.select_related("office__region").filter(pk__in=included_user_ids())
    }
    per_office = Counter(
        people[pid].office_id for pid in frame["pid"].unique() if people[pid].office_id
    )
    assert any(n < 10 for n in per_office.values()) and any(n >= 10 for n in per_office.values())
    for pid, office, region in zip(frame["pid"], frame["office"], frame["region"], strict=True):
        user = people[pid]
        assert region == neutralise(user.office.region.name)
        if per_office[user.office_id] < 10:
            assert office == f"{region} (offices with fewer than 10 people in this export)"
        else:
            assert office == user.office.name


def test_the_threshold_comes_from_the_disclosure_setting(world, export, settings):
    settings.EVALUATION_DISCLOSURE_K = 1
    frame = read_long(export("long"))
    assert not frame["office"].str.contains("offices with fewer than").any()
    leader = frame[frame["pid"] == expected_pid(world.leader.user.pk)]
    assert set(leader["office"]) == {"'@SUM(A1:A2)"}


# Formula cells ---------------------------------------------------------------------


def test_neutralise_prefixes_formula_starts_and_leaves_the_rest():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("+44") == "'+44"
    assert neutralise("-x") == "'-x"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("\tx") == "'\tx"
    assert neutralise("Plain text = fine") == "Plain text = fine"
    assert neutralise(-1) == -1
    assert neutralise("") == ""


def test_no_text_cell_in_any_file_starts_a_formula(world, export, settings):
    settings.EVALUATION_DISCLOSURE_K = 1
    path = export("bundle", name="export.zip")
    with zipfile.ZipFile(path) as bundle:
        for name in ("long.csv", "wide.csv", "codebook.csv"):
            reader = csv.reader(io.StringIO(bundle.read(name).decode()))
            for row in reader:
                for cell in row:
                    if cell[:1] in ("=", "+", "@", "\t"):
                        pytest.fail(f"{name}: {cell!r}")
                    if cell.startswith("-"):
                        float(cell)  # only negative numbers may start with a minus
        book = openpyxl.load_workbook(io.BytesIO(bundle.read("data.xlsx")))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (sheet.title, cell.coordinate)
    frame = pd.read_csv(zipfile.ZipFile(path).open("long.csv"), dtype=str, keep_default_na=False)
    assert "'=1+1 Asking a customer about their drug or alcohol use" in set(frame["item_text"])
    assert "'-What is the best thing to say next?" in set(frame["item_text"])
    assert "'+Formula region" in set(frame["region"])


# Dates -------------------------------------------------------------------------------


def test_dates_are_uk_days_and_days_since_enrolment_counts_from_the_start(disclosure, export):
    person = Person(disclosure).complete()
    # Started 22:30 UTC on 31 May (23:30 in London, still 31 May); the baseline at
    # 23:30 UTC on 1 June is already 2 June in London.
    Enrolment.objects.filter(pk=person.pk).update(
        started_at=datetime(2025, 5, 31, 22, 30, tzinfo=UTC)
    )
    SurveyResponse.objects.filter(user=person.user, timepoint="pre").update(
        submitted_at=datetime(2025, 6, 1, 23, 30, tzinfo=UTC)
    )
    SurveyResponse.objects.filter(user=person.user, timepoint="post").update(
        submitted_at=datetime(2025, 12, 1, 23, 30, tzinfo=UTC)  # GMT: still 1 December
    )
    frame = read_long(export("long"))
    pre = frame[(frame["timepoint"] == "pre") & frame["instrument"].str.endswith("survey")]
    post = frame[(frame["timepoint"] == "post") & frame["instrument"].str.endswith("survey")]
    assert set(pre["submitted_on"]) == {"2025-06-02"}
    assert set(pre["days_since_enrolment"]) == {"2"}
    assert set(post["submitted_on"]) == {"2025-12-01"}
    assert set(post["days_since_enrolment"]) == {str((date(2025, 12, 1) - date(2025, 5, 31)).days)}
    for value in frame["submitted_on"]:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)


def test_utc_offsets_find_the_uk_clock_changes():
    from zoneinfo import ZoneInfo

    changes = utc_offsets(ZoneInfo("Europe/London"), 2025, 2025)
    assert changes[1:] == [
        (datetime(2025, 3, 30, 1, 0, tzinfo=UTC), 3600),
        (datetime(2025, 10, 26, 1, 0, tzinfo=UTC), 0),
    ]


def test_since_and_until_select_by_the_day_the_module_was_started(disclosure, export):
    early, middle, late = (Person(disclosure).complete() for _ in range(3))
    london = timezone.get_current_timezone()
    for person, day in ((early, 1), (middle, 10), (late, 20)):
        started = datetime(2025, 3, day, 23, 59, tzinfo=london)
        Enrolment.objects.filter(pk=person.pk).update(started_at=started)
    frame = read_long(export("long", since="2025-03-10", until="2025-03-20"))
    assert set(frame["pid"]) == {expected_pid(middle.user.pk), expected_pid(late.user.pk)}
    frame = read_long(export("long", until="2025-03-10"))
    assert set(frame["pid"]) == {expected_pid(early.user.pk), expected_pid(middle.user.pk)}
    frame = read_long(export("long", since="2025-03-11"))
    assert set(frame["pid"]) == {expected_pid(late.user.pk)}


def test_an_export_with_nothing_in_it_still_has_its_headers(disclosure, export):
    frame = read_long(export("long", since=str(timezone.localdate() + timedelta(days=1))))
    assert len(frame) == 0 and "pid" in frame.columns
    wide = pd.read_csv(export("wide"))
    assert len(wide) == 0 and "dcs_q01_pre" in wide.columns
