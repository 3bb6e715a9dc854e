"""The committed sampler fixture is what the reference script computes (so it cannot go stale)."""
import json

from model.sampler_reference import FIXTURE, build


def test_fixture_is_current():
    assert json.loads(FIXTURE.read_text()) == json.loads(json.dumps(build()))
