"""One phone, two accounts: unsynced work of the first blocks the second sign-in (nothing
is dropped); once it has reached the server, the second account starts clean and sees
nothing of the first."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from fieldapp.store.pending import UnsyncedWork
from fieldapp.sync.engine import run_sync
from tests.client.conftest import PhoneApp
from tests.server.world import PASSWORD, World


def test_switching_account_waits_for_unsynced_work_then_starts_clean(
    world: World, phone: Callable[[str], PhoneApp]
) -> None:
    app = phone("insp1")
    run_sync(app.store, app.client)
    visit = app.store.start_visit(uuid.UUID(world.site("S1")), "mall-property.v1", "overt")
    app.store.record_answer(visit.id, "1.1", "pass")
    app.store.sign_out()
    with pytest.raises(UnsyncedWork) as refused:  # refused on the phone, even offline
        app.store.device_for("insp2")
    assert refused.value.username == "insp1" and refused.value.count >= 2
    assert app.store.visit_view(visit.id).visit.status == "draft"  # kept, untouched
    with pytest.raises(UnsyncedWork):  # another server is refused the same way
        app.store.enroll(
            "http://elsewhere", app.client.login("insp1", PASSWORD, app.store.device_id())
        )

    app.sign_in("insp1")
    run_sync(app.store, app.client)  # the draft reaches its server
    assert app.store.sync_status().pending_records == 0
    app.store.sign_out()
    first_device = app.store.device_id()
    device = app.store.device_for("insp2")
    assert device != first_device  # the server binds a device id to one account
    app.store.enroll("http://testserver", app.client.login("insp2", PASSWORD, device))
    run_sync(app.store, app.client)
    home = app.store.home()
    assert not home.drafts and not home.submitted and not home.returned
    assert {s.code for s in app.store.search_sites("")} == {"S3"}  # insp2's region only
    mine = app.store.start_visit(uuid.UUID(world.site("S3")), "mall-property.v1", "overt")
    report = run_sync(app.store, app.client)  # numbered from 1 for the new device: no gap
    assert report.rejected == 0 and app.store.sync_status().pending_records == 0
    assert [v.id for v in app.store.home().drafts] == [mine.id]


def test_the_same_account_back_from_another_server_gets_its_own_visits_again(
    world: World, phone: Callable[[str], PhoneApp]
) -> None:
    """Signing in at another server drops the phone's copy; coming back, the phone must
    not be taken for the device that wrote those visits (a server does not send a device
    its own writes back, PROTOCOL.md Pull): it signs in with a new device id."""
    app = phone("insp1")
    run_sync(app.store, app.client)
    visit = app.store.start_visit(uuid.UUID(world.site("S1")), "mall-property.v1", "overt")
    run_sync(app.store, app.client)
    first_device = app.store.device_id()
    failed = app.store.device_for("insp1", "http://elsewhere")  # a sign-in that fails there
    assert failed != first_device and app.store.device_id() == first_device  # kept as it was
    elsewhere = app.store.device_for("insp1", "http://elsewhere")
    app.store.enroll("http://elsewhere", app.client.login("insp1", PASSWORD, elsewhere))
    assert app.store.device_id() == elsewhere and not app.store.home().drafts  # dropped
    back = app.store.device_for("insp1", "http://testserver")
    assert back not in (first_device, elsewhere)
    app.store.enroll("http://testserver", app.client.login("insp1", PASSWORD, back))
    run_sync(app.store, app.client)
    assert [v.id for v in app.store.home().drafts] == [visit.id]
    assert app.store.device_for("insp1", "http://testserver") == back  # the same: kept
