"""`g` on the dashboard: an inbound call found by phone as the caller dictates it opens the
deal; a client with no open deal gets one on the campaign picked, and its card opens."""

from __future__ import annotations

from sqlalchemy import select

from yoolla_tui.core.calls import clients
from yoolla_tui.core.kernel import db
from yoolla_tui.core.kernel.models import Deal

from .conftest import press, settle


async def test_g_finds_a_deal_by_phone_typed_with_a_trunk_prefix(world, make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "g", *"8 495 100-00-07")
        assert type(app.screen).__name__ == "FindModal"
        await press(pilot, "enter")
        assert type(app.screen).__name__ == "DealScreen"
        assert app.screen.deal_id == world.ids["C7"]


async def test_g_opens_a_deal_for_a_client_on_no_campaign(world, make):
    with db.session_scope(world.engine) as s:
        client_id = clients.add_client(session=s, actor=world.irina, name="ООО «Ёлка»", phone="+7 843 362-23-09").id
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "g", *"елка", "enter")  # е finds Ё
        assert type(app.screen).__name__ == "ChoiceModal"  # which campaign
        await press(pilot, "1")
        assert type(app.screen).__name__ == "DealScreen"
        with db.session_scope(world.engine) as s:
            deal = s.scalars(select(Deal).where(Deal.client_id == client_id)).one()
            assert (deal.manager_id, deal.closed_at) == (world.anna.id, None)
        assert app.screen.deal_id == deal.id
