"""Round trips through policy and fact files, over random policies and facts."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import jsonschema
from engine_strategies import policies
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpiscore import Event, Policy
from kpiscore.io.load import dump_policy, load_events, load_policy
from kpiscore.model.schema import policy_schema

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Text as people type it: Vietnamese letters, punctuation that CSV must quote, line breaks.
texts = st.text(
    alphabet=st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậ ,;\"'\n=-+")),
    min_size=1,
    max_size=20,
).filter(lambda text: text.strip() == text and text.strip())


@SETTINGS
@given(policy=policies(), fmt=st.sampled_from(["toml", "json"]))
def test_dump_then_load_is_the_same_policy(policy: Policy, fmt: str) -> None:
    """load_policy(dump_policy(p)) == p, with the same fingerprint, in TOML and in JSON."""
    again = load_policy(dump_policy(policy, fmt), format=fmt)  # type: ignore[arg-type]
    assert (policy, policy.fingerprint) == (again, again.fingerprint)


@SETTINGS
@given(policy=policies())
def test_every_dumped_policy_passes_the_schema(policy: Policy) -> None:
    """What dump_policy writes, the shipped JSON Schema accepts."""
    validator = jsonschema.Draft202012Validator(policy_schema())
    assert [] == [
        error.message for error in validator.iter_errors(json.loads(dump_policy(policy, "json")))
    ]


@SETTINGS
@given(policy=policies(), form=st.sampled_from(["NFC", "NFD"]))
def test_the_normal_form_of_the_text_does_not_matter(policy: Policy, form: str) -> None:
    """A file in composed or decomposed Unicode gives the same policy."""
    text = unicodedata.normalize(form, dump_policy(policy, "json"))
    assert policy.fingerprint == load_policy(text).fingerprint


@st.composite
def event_lists(draw: st.DrawFn) -> list[Event]:
    return draw(
        st.lists(
            st.builds(
                Event,
                subject=texts,
                kind=texts,
                on=st.integers(min_value=0, max_value=800).map(
                    lambda days: date(2025, 1, 1) + timedelta(days=days)
                ),
                quantity=st.decimals(min_value=0, max_value=1000, places=3),
                excused=st.booleans(),
                ref=st.none() | texts,
                note=st.none() | texts,
            ),
            max_size=15,
        )
    )


@SETTINGS
@given(events=event_lists(), day_first=st.booleans(), bom=st.booleans())
def test_events_written_as_csv_read_back_equal(
    tmp_path: Path, events: list[Event], day_first: bool, bom: bool
) -> None:
    """Events written to a CSV file (either date form, with or without a BOM) read back equal."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["subject", "kind", "on", "quantity", "excused", "ref", "note"])
    for event in events:
        on = event.on.strftime("%d/%m/%Y") if day_first else event.on.isoformat()
        writer.writerow(
            [
                event.subject,
                event.kind,
                on,
                str(event.quantity),
                "có" if event.excused else "không",
                event.ref or "",
                event.note or "",
            ]
        )
    path = tmp_path / "events.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8-sig" if bom else "utf-8", newline="")
    assert events == load_events(path)
