import gc

import pytest

from scrutiny_es.application.collector import collector_paused


@pytest.fixture
def collector_enabled():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_pauses_the_collector_and_restarts_it_after(collector_enabled):
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_restarts_the_collector_after_an_error(collector_enabled):
    with pytest.raises(ValueError, match="boom"), collector_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_leaves_a_collector_paused_by_the_host_paused(collector_enabled):
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()
    gc.enable()
