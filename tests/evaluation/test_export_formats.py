"""Every export format read back with the tools evaluators use, and compared with
what the database holds."""

import json
import zipfile
from collections import Counter, defaultdict

import openpyxl
import pandas as pd
import pyreadstat
import pytest

from assessments.models import QuizAttempt, SurveyItem
from evaluation.exports.writers import CODEBOOK_COLUMNS
from learning.models import Enrolment
from tests.evaluation.conftest import (
    LONG_COMPARED,
    PREFIXES,
    expected_long_rows,
    expected_pid,
    included_user_ids,
)

pytestmark = pytest.mark.django_db

LONG_HEADER = (
    "pid,region,office,role,module,instrument,instrument_version,timepoint,item_key,"
    "item_text,value,value_label,scale_min,scale_max,submitted_on,days_since_enrolment"
)


def read_long(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def expected_wide(world):
    """Per (pid, module): column -> value, pivoted from the ORM's long rows, with the
    survey means and quiz percentages worked out here."""
    rows = defaultdict(dict)
    for pid, module, _, _, timepoint, key, _, value, *_ in expected_long_rows():
        rows[(pid, module)][f"{key}_{timepoint}"] = int(value)
    reverse = {
        f"dcs_q{item.position:02d}": item
        for item in SurveyItem.objects.filter(version__survey__key__startswith="disclosure")
    }
    for values in rows.values():
        for timepoint in ("pre", "post", "then", "follow_up"):
            scores = []
            for key, item in reverse.items():
                value = values.get(f"{key}_{timepoint}")
                if value is None:
                    continue
                scores.append(6 - value if item.reverse_coded else value)
            if scores:
                values[f"dcs_mean_{timepoint}"] = round(sum(scores) / len(scores), 4)
        for timepoint in ("pre", "post"):
            marks = [
                v for k, v in values.items() if k.startswith("dcq_k") and k.endswith(timepoint)
            ]
            if marks:
                values[f"dcq_pct_{timepoint}"] = round(100 * sum(marks) / len(marks), 1)
    users = included_user_ids()
    for enrolment in Enrolment.objects.filter(user_id__in=users):
        rows[(expected_pid(enrolment.user_id), world.module.slug)].setdefault("_", 0)
    for pid_module, n in Counter(
        (expected_pid(a.user_id), world.module.slug)
        for a in QuizAttempt.objects.filter(timepoint="post", user_id__in=users)
    ).items():
        rows[pid_module]["dcq_attempts_post"] = n
    return rows


def assert_wide_matches(frame, world):
    expected = expected_wide(world)
    assert len(frame) == len(expected)
    assert set(zip(frame["pid"], frame["module"], strict=True)) == set(expected)
    value_columns = [c for c in frame.columns if c.startswith(("dcs_", "dcq_"))]
    for record in frame.to_dict("records"):
        wanted = expected[(record["pid"], record["module"])]
        for column in value_columns:
            got = record[column]
            missing = got is None or got == "" or (isinstance(got, float) and pd.isna(got))
            if column in wanted:
                assert not missing, (record["pid"], column)
                assert float(got) == pytest.approx(wanted[column]), (record["pid"], column)
            else:
                assert missing, (record["pid"], column, got)


def test_long_csv_round_trips_to_the_database(world, export):
    path = export("long")
    assert path.read_text(encoding="utf-8").splitlines()[0] == LONG_HEADER
    frame = read_long(path)
    got = Counter(tuple(row) for row in frame[LONG_COMPARED].itertuples(index=False))
    assert got == Counter(expected_long_rows())
    # Numbers load as numbers.
    numbers = pd.read_csv(path)
    for column in ("value", "scale_min", "scale_max", "instrument_version"):
        assert pd.api.types.is_integer_dtype(numbers[column]), column
    assert set(frame["timepoint"]) == {"pre", "post", "then", "follow_up"}


def test_long_csv_is_ordered_by_pid_and_keeps_each_persons_rows_together(world, export):
    frame = read_long(export("long"))
    assert list(frame["pid"]) == sorted(frame["pid"])
    first = frame[frame["pid"] == frame["pid"].iloc[0]]
    survey = first[first["instrument"] == "disclosure-conversations-survey"]
    order = ["pre", "post", "then", "follow_up"]
    positions = [order.index(tp) for tp in survey["timepoint"]]
    assert positions == sorted(positions)


def test_quiz_rows_use_the_first_attempt_before_and_after(world, export):
    frame = read_long(export("long"))
    leader = frame[frame["pid"] == expected_pid(world.leader.user.pk)]
    quiz = leader[leader["instrument"] == "disclosure-conversations-quiz"]
    # The leader got every question wrong before, then wrong and (at the retake,
    # which is not exported) right after.
    assert set(quiz[quiz["timepoint"] == "pre"]["value"]) == {"0"}
    assert set(quiz[quiz["timepoint"] == "post"]["value"]) == {"0"}
    assert len(quiz[quiz["timepoint"] == "post"]) == 8
    assert set(quiz["value_label"]) == {"Incorrect"}
    everyone = frame[frame["instrument"] == "disclosure-conversations-quiz"]
    assert set(everyone["value_label"]) == {"Correct", "Incorrect"}
    assert set(quiz["scale_min"]) == {"0"} and set(quiz["scale_max"]) == {"1"}


def test_wide_csv_round_trips_to_the_database(world, export):
    frame = pd.read_csv(export("wide"), dtype={"pid": str})
    assert list(frame.columns[:8]) == [
        "pid",
        "region",
        "office",
        "role",
        "module",
        "started_on",
        "completed_on",
        "reaction_rating",
    ]
    assert_wide_matches(frame, world)
    leader = frame[frame["pid"] == expected_pid(world.leader.user.pk)].iloc[0]
    assert leader["dcq_attempts_post"] == 2
    # The first attempt after the module counts (the retake passed, this one did not).
    assert leader["dcq_pct_pre"] == 0 and leader["dcq_pct_post"] == 0
    assert leader["reaction_rating"] == 4
    assert leader["role"] == "Team leader"


def test_item_keys_are_valid_spss_and_stata_names(world, export):
    frame = pd.read_csv(export("wide"), nrows=1)
    for name in frame.columns:
        assert len(name) <= 32, name
        assert name[0].isalpha() and name.replace("_", "").isalnum(), name
    assert "dcs_q01_follow_up" in frame.columns and "dcq_k08_post" in frame.columns


def test_codebook_lists_every_wide_column_in_redcap_layout(world, export):
    codebook = pd.read_csv(export("codebook"), dtype=str, keep_default_na=False)
    wide = pd.read_csv(export("wide"), nrows=0)
    assert list(codebook.columns) == CODEBOOK_COLUMNS
    person_and_items = codebook[codebook["Form Name"] != "long_file"]
    assert list(person_and_items["Variable / Field Name"]) == list(wide.columns)
    row = codebook.set_index("Variable / Field Name").loc["dcs_q03_pre"]
    assert row["Field Type"] == "radio"
    assert row["Choices, Calculations, OR Slider Labels"] == (
        "1, Not at all confident | 2, Slightly confident | 3, Moderately confident"
        " | 4, Very confident | 5, Completely confident"
    )
    assert "item_key=dcs_q03" in row["Field Annotation"]
    assert codebook.set_index("Variable / Field Name").loc["pid"]["Identifier?"] == "y"
    mean = codebook.set_index("Variable / Field Name").loc["dcs_mean_pre"]
    assert (
        mean["Field Type"] == "calc"
        and "(6-[dcs_q02_pre])" in mean["Choices, Calculations, OR Slider Labels"]
    )
    long_only = set(codebook[codebook["Form Name"] == "long_file"]["Variable / Field Name"])
    assert long_only == set(LONG_HEADER.split(",")) - {"pid", "region", "office", "role", "module"}


def test_xlsx_has_the_wide_data_and_the_codebook(world, export):
    path = export("xlsx", name="export.xlsx")
    data = pd.read_excel(path, sheet_name="Data", engine="openpyxl", dtype={"pid": str})
    assert_wide_matches(data, world)
    codebook = pd.read_excel(path, sheet_name="Codebook", dtype=str).fillna("")
    assert list(codebook.columns) == CODEBOOK_COLUMNS
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == ["Data", "Codebook", "About"]
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True)}
    assert about["Key id"] == "project-a"
    # No cell is a formula.
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and value.startswith("=")), value


@pytest.mark.parametrize(
    "fmt, reader", [("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)]
)
def test_spss_and_stata_files_reopen_with_their_labels(world, export, fmt, reader):
    path = export(fmt, name=f"export.{fmt}")
    frame, meta = reader(str(path))
    assert_wide_matches(frame, world)
    version = world.module.confidence_survey.latest_version
    labels = meta.variable_value_labels["dcs_q03_pre"]
    assert {int(k): v for k, v in labels.items()} == {
        int(k): v for k, v in version.scale_labels.items()
    }
    quiz_labels = meta.variable_value_labels["dcq_k02_post"]
    assert {int(k): v for k, v in quiz_labels.items()} == {0: "Incorrect", 1: "Correct"}
    labels_by_name = meta.column_names_to_labels
    statement = version.items.get(position=3).statement
    assert labels_by_name["dcs_q03_pre"].startswith(statement[:60])
    assert labels_by_name["pid"].startswith("Pseudonymous id")
    # Dates come back as dates.
    started = frame["started_on"].dropna().iloc[0]
    assert hasattr(started, "year")


def test_bundle_holds_every_file_and_a_manifest_with_their_checksums(world, export, tmp_path):
    import hashlib

    path = export("bundle", name="export.zip")
    with zipfile.ZipFile(path) as bundle:
        names = bundle.namelist()
        assert names == [
            "long.csv",
            "wide.csv",
            "codebook.csv",
            "data.xlsx",
            "data.sav",
            "data.dta",
            "manifest.json",
        ]
        manifest = json.loads(bundle.read("manifest.json"))
        for entry in manifest["files"]:
            content = bundle.read(entry["name"])
            assert hashlib.sha256(content).hexdigest() == entry["sha256"]
            assert len(content) == entry["bytes"]
        bundle.extractall(tmp_path / "bundle")
    assert manifest["key_id"] == "project-a"
    assert "test-only-pseudonym-key-a" not in json.dumps(manifest)
    assert manifest["filters"] == {
        "modules": "all",
        "started_since": None,
        "started_until": None,
    }
    rows = {entry["name"]: entry["rows"] for entry in manifest["files"]}
    assert rows["long.csv"] == len(expected_long_rows())
    assert rows["wide.csv"] == len(expected_wide(world))
    assert manifest["generated_at"].endswith("+00:00")
    frame = read_long(tmp_path / "bundle" / "long.csv")
    assert len(frame) == rows["long.csv"]


def test_two_modules_make_columns_for_both_and_one_row_per_person_and_module(two_modules, export):
    from tests.evaluation.conftest import Person

    first, second = two_modules
    both = Person(first).complete()
    Person(second, user=both.user).complete(value=5)
    only_first = Person(first).complete()
    frame = pd.read_csv(export("wide"), dtype={"pid": str})
    assert len(frame) == 3
    assert {"dcs_q01_pre", "wwpms_q01_pre", "wwpmq_k01_post"} <= set(frame.columns)
    pid = expected_pid(both.user.pk)
    assert sorted(frame[frame["pid"] == pid]["module"]) == sorted([first.slug, second.slug])
    row = frame[(frame["pid"] == pid) & (frame["module"] == second.slug)].iloc[0]
    assert row["wwpms_q01_post"] == 5 and pd.isna(row["dcs_q01_post"])
    long = read_long(export("long", modules=[second.slug]))
    assert set(long["module"]) == {second.slug}
    assert expected_pid(only_first.user.pk) not in set(long["pid"])
    assert Counter(tuple(r) for r in long[LONG_COMPARED].itertuples(index=False)) == Counter(
        expected_long_rows(modules=[second.slug])
    )
    assert PREFIXES["working-with-peer-mentors-survey"] in {
        k.split("_")[0] for k in long["item_key"]
    }
