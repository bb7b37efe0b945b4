"""Pilot tests of the operator's day, asserting on the database: each outcome key, the next
deal opening by itself, the quick call-back, undo, the stage gate, and a stale edit refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import dump
from tests.core.world import at
from yoolla_tui.core.kernel import clock, db
from yoolla_tui.core.calls import deals
from yoolla_tui.core.work import orders, tasks, timer
from yoolla_tui.core.people import users
from yoolla_tui.core.kernel.models import Call, Client, Deal, LostReason, Stage, User

from .conftest import press, settle


def calls(engine, deal_id):
    with db.session_scope(engine) as s:
        return [(c.outcome, c.user_id, c.note) for c in s.scalars(select(Call).where(Call.deal_id == deal_id).order_by(Call.id))]


def deal_row(engine, deal_id) -> Deal:
    with db.session_scope(engine) as s:
        return s.get(Deal, deal_id)


def stage_code(engine, deal_id) -> str:
    with db.session_scope(engine) as s:
        return s.get(Stage, s.get(Deal, deal_id).stage_id).code


def message(app) -> str:
    return str(app.screen.query_one("#message").render())


async def open_first(pilot):
    await settle(pilot)
    await press(pilot, "enter")
    assert type(pilot.app.screen).__name__ == "DealScreen"


async def test_today_shows_the_queue_in_order_with_counters(world, make):
    app = make()
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen._ids == [world.ids["C1"], world.ids["C7"], world.ids["C12"], world.ids["C4"]]
        assert "4 due" in str(screen.query_one("#pager").render())
        assert "2" in str(screen.query_one("#called").render())  # anna's two calls this morning
        await press(pilot, "slash", "C", "1", "2")
        assert screen._ids == [world.ids["C12"]]
        assert "filter: C12" in str(screen.query_one("#pager").render())
        await press(pilot, "escape")
        assert len(screen._ids) == 4


async def test_no_answer_is_one_key_and_the_next_due_deal_opens(world, make):
    app = make()
    async with app.run_test(size=(100, 32)) as pilot:
        await open_first(pilot)
        assert app.screen.deal_id == world.ids["C1"]
        await press(pilot, "1")
        assert calls(world.engine, world.ids["C1"])[-1][0] == "no_answer"
        assert app.screen.deal_id == world.ids["C7"]  # the next due deal, without another key
        assert "No answer logged" in message(app)
        await press(pilot, "1")
        assert app.screen.deal_id == world.ids["C12"]


async def test_call_back_at_a_quick_time_takes_two_keys(world, make):
    app = make()
    async with app.run_test(size=(100, 32)) as pilot:
        await open_first(pilot)
        await press(pilot, "2", "1")  # call back, in 1 hour
        with db.session_scope(world.engine) as s:
            call = s.scalars(select(Call).where(Call.deal_id == world.ids["C1"]).order_by(Call.id.desc())).first()
            assert call.outcome == "call_back"
            assert call.next_call_at == clock.now() + timedelta(hours=1)
        assert app.screen.deal_id == world.ids["C7"]
        await press(pilot, "2", "3")  # tomorrow 10:00
        assert deal_row(world.engine, world.ids["C7"]).next_call_at == at("2026-11-24 10:00")
        await press(pilot, "2", "4", *"15:45", "enter")  # a typed time
        assert deal_row(world.engine, world.ids["C12"]).next_call_at == at("2026-11-23 15:45")


async def test_interested_stays_on_the_deal_and_moves_it_to_agreed(world, make):
    app = make()
    async with app.run_test(size=(100, 32)) as pilot:
        await open_first(pilot)
        await press(pilot, "3")
        assert calls(world.engine, world.ids["C1"])[-1][0] == "interested"
        assert stage_code(world.engine, world.ids["C1"]) == "agreed"
        assert app.screen.deal_id == world.ids["C1"]
        assert "next call" in message(app) and "leaves Today" not in message(app)
        await press(pilot, "space")
        assert app.screen.deal_id == world.ids["C7"]


async def test_interested_then_space_keeps_the_new_deal_in_the_queue(world, make, monkeypatch):
    """Issue 23: `3` then `space` on a new deal (to_call) never drops it silently: "agreed" has no
    follow-up of its own, so the next call is the next business day, said on screen, and the deal
    is in Today then."""
    app = make()
    async with app.run_test(size=(100, 32)) as pilot:
        await open_first(pilot)
        await press(pilot, "1")  # C1 -> C7, a new deal
        assert app.screen.deal_id == world.ids["C7"] and stage_code(world.engine, world.ids["C7"]) == "to_call"
        await press(pilot, "3", "space")
        assert stage_code(world.engine, world.ids["C7"]) == "agreed"
        assert deal_row(world.engine, world.ids["C7"]).next_call_at == at("2026-11-24 09:00")
        assert app.screen.deal_id == world.ids["C12"]
    monkeypatch.setenv("YOOLLA_NOW", "2026-11-24T09:30:00+03:00")
    app = make()
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert world.ids["C7"] in app.screen._ids


async def test_refused_asks_the_reason_and_other_asks_a_note(world, make):
    app = make()
    async with app.run_test(size=(100, 32)) as pilot:
        await open_first(pilot)
        await press(pilot, "4", "2")  # too expensive
        with db.session_scope(world.engine) as s:
            deal = s.get(Deal, world.ids["C1"])
            assert deal.closed_at is not None and s.get(LostReason, deal.lost_reason_id).code == "too_expensive"
        assert app.screen.deal_id == world.ids["C7"]
        await press(pilot, "4", "8")  # other: a note is asked first
        assert type(app.screen).__name__ == "TextModal"
        assert deal_row(world.engine, world.ids["C7"]).closed_at is None
        await press(pilot, *"уже купили", "enter")
        with db.session_scope(world.engine) as s:
            deal = s.get(Deal, world.ids["C7"])
            assert s.get(LostReason, deal.lost_reason_id).code == "other" and deal.lost_note == "уже купили"


async def test_do_not_call_needs_a_different_key_to_confirm(world, make):
    app = make()
    async with app.run_test(size=(100, 32)) as pilot:
        await open_first(pilot)
        before = dump(world.engine)
        await press(pilot, "5", "5")  # the same key again does not confirm
        assert dump(world.engine) == before
        await press(pilot, "escape")
        assert dump(world.engine) == before
        await press(pilot, "5", "y")
        with db.session_scope(world.engine) as s:
            assert s.get(Client, s.get(Deal, world.ids["C1"]).client_id).do_not_call
        assert app.screen.deal_id == world.ids["C7"]


async def test_wrong_number_takes_the_deal_out_of_the_queue(world, make):
    app = make()
    async with app.run_test(size=(100, 32)) as pilot:
        await open_first(pilot)
        await press(pilot, "6")
        deal = deal_row(world.engine, world.ids["C1"])
        assert deal.status == "wrong_number" and deal.next_call_at is None
        assert app.screen.deal_id == world.ids["C7"]


async def test_a_note_goes_with_the_next_outcome(world, make):
    app = make()
    async with app.run_test(size=(100, 32)) as pilot:
        await open_first(pilot)
        await press(pilot, "n", *"секретарь", "enter", "1")
        assert calls(world.engine, world.ids["C1"])[-1] == ("no_answer", world.anna.id, "секретарь")


async def test_undo_restores_the_deal_and_deletes_the_call(world, make):
    before = deal_row(world.engine, world.ids["C1"])
    app = make()
    async with app.run_test(size=(100, 32)) as pilot:
        await open_first(pilot)
        await press(pilot, "4", "1")
        assert deal_row(world.engine, world.ids["C1"]).closed_at is not None
        assert app.screen.deal_id == world.ids["C7"]
        await press(pilot, "z")
        assert app.screen.deal_id == world.ids["C1"]  # back on the deal the call was on
        after = deal_row(world.engine, world.ids["C1"])
        assert (after.closed_at, after.status, after.next_call_at, after.stage_id, after.lost_reason_id) == (
            None, "call_back", before.next_call_at, before.stage_id, None)
        assert [c[0] for c in calls(world.engine, world.ids["C1"])] == ["call_back"]
        assert "Undone" in message(app)


async def test_undo_is_refused_once_someone_else_touched_the_deal(world, make):
    app = make()
    async with app.run_test(size=(100, 32)) as pilot:
        await open_first(pilot)
        await press(pilot, "1")
        with db.session_scope(world.engine) as s:
            deals.invoice(session=s, actor=world.irina, deal_id=world.ids["C1"], amount="15000")
        await press(pilot, "z")
        assert "can no longer be undone" in message(app) and "irina" in message(app)
        assert [c[0] for c in calls(world.engine, world.ids["C1"])] == ["call_back", "no_answer"]


async def test_a_gated_advance_is_refused_then_an_invoice_opens_the_gate(world, make):
    app = make()
    async with app.run_test(size=(100, 32)) as pilot:
        await open_first(pilot)
        before = dump(world.engine)
        await press(pilot, "a", "4")  # stages by position: to call, agreed, proposal sent, [invoice issued], …
        assert "Not moved: «Invoice issued» needs an invoice (press i)" in message(app)
        assert dump(world.engine) == before
        await press(pilot, "i", *"15000", "enter")
        assert stage_code(world.engine, world.ids["C1"]) == "invoice_issued"
        await press(pilot, "a", "5")  # paid
        assert "Not moved: «Paid» needs a payment (press p)" in message(app)
        await press(pilot, "p", *"15000", "enter")
        assert stage_code(world.engine, world.ids["C1"]) == "paid"
        await press(pilot, "a", "6")  # attended (won)
        assert stage_code(world.engine, world.ids["C1"]) == "attended"
        assert deal_row(world.engine, world.ids["C1"]).closed_at is not None


async def test_a_stale_edit_is_refused_with_who_and_when_then_reloaded(world, make):
    app = make()
    async with app.run_test(size=(100, 32)) as pilot:
        await open_first(pilot)
        with db.session_scope(world.engine) as s:  # the admin, from the CLI, meanwhile
            deals.log_call(session=s, actor=world.irina, deal_id=world.ids["C1"], outcome="interested")
        await press(pilot, "6")
        text = message(app)
        assert "Not saved" in text and "Ирина Орлова" in text and "2026-11-23 10:30" in text
        assert [c[0] for c in calls(world.engine, world.ids["C1"])] == ["call_back", "interested"]
        assert app.screen.deal_id == world.ids["C1"]
        await press(pilot, "6")  # reloaded: now it goes through
        assert [c[0] for c in calls(world.engine, world.ids["C1"])] == ["call_back", "interested", "wrong_number"]


async def test_escape_goes_back_to_today_which_reloads(world, make):
    app = make()
    async with app.run_test(size=(100, 32)) as pilot:
        await open_first(pilot)
        await press(pilot, "6", "escape")
        assert type(app.screen).__name__ == "TodayScreen"
        assert world.ids["C1"] not in app.screen._ids


async def test_the_queue_loads_in_pages_and_says_how_many_are_left(world, make, monkeypatch):
    from yoolla_tui.core.calls import today

    monkeypatch.setattr(today, "PAGE", 3)
    app = make()
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert len(screen._ids) == 3
        assert "3 of 4 due" in str(screen.query_one("#pager").render())
        await press(pilot, "down", "down")  # near the end of the page: the next one loads
        assert screen._ids == [world.ids["C1"], world.ids["C7"], world.ids["C12"], world.ids["C4"]]
        assert "4 due · sorted by due time" in str(screen.query_one("#pager").render())
        await press(pilot, "s")
        assert "sorted by client" in str(screen.query_one("#pager").render())
        assert screen._ids[:3] == [world.ids["C1"], world.ids["C12"], world.ids["C4"]]


async def test_the_command_palette_opens_the_next_due_deal(world, make):
    app = make()
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p", *"Next due deal")
        await pilot.pause(0.5)
        await press(pilot, "enter")
        assert type(app.screen).__name__ == "DealScreen" and app.screen.deal_id == world.ids["C1"]
        await press(pilot, "question_mark")
        assert type(app.screen).__name__ == "HelpModal"  # this screen's keys
        await press(pilot, "question_mark", "ctrl+p", *"Today")
        await pilot.pause(0.5)
        await press(pilot, "enter")
        assert type(app.screen).__name__ == "TodayScreen"


async def test_after_the_last_deal_today_opens_and_z_still_undoes(world, make):
    app = make()
    async with app.run_test(size=(100, 32)) as pilot:
        await open_first(pilot)
        for _ in range(4):
            await press(pilot, "6")  # wrong number on each: none of them comes back today
        assert type(app.screen).__name__ == "TodayScreen" and app.screen._ids == []
        await press(pilot, "z")
        assert type(app.screen).__name__ == "DealScreen" and app.screen.deal_id == world.ids["C4"]
        assert deal_row(world.engine, world.ids["C4"]).status == "no_answer"
        assert "Undone" in message(app)


async def test_the_supervisor_sees_today_per_manager_and_the_funnel(world, make):
    app = make("irina")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await press(pilot, "v")
        screen = app.screen
        assert type(screen).__name__ == "SupervisorScreen"
        daily = [[str(c) for c in screen.query_one("#daily").get_row_at(n)] for n in range(4)]
        assert [row[:3] for row in daily] == [["anna", "4", "2"], ["boris", "4", "0"], ["vera", "4", "0"],
                                              ["Total", "12", "2"]]  # anna: 4 deals, 2 calls this morning
        assert [str(c) for c in screen.query_one("#compare").get_row_at(0)][:2] == ["1", "anna"]
        funnel = str(screen.query_one("#funnel").render())
        assert "To call" in funnel and "12" in funnel
    app = make("anna")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await press(pilot, "v")  # a manager has no supervisor view: the key does nothing
        assert type(app.screen).__name__ == "TodayScreen"


async def test_the_supervisor_sees_the_efficiency_trend_per_executor_and_week(world, make):
    """egor: W47 a 2h task done in 3h (1.5), W48 4h estimated, 2h spent (0.5); fedor: W48 1h on
    plan (1.0). The chart gets those points at the last eight weeks' positions (W41..W48)."""
    with db.session_scope(world.engine) as s:
        irina = s.get(User, world.irina.id)
        anna = s.get(User, world.anna.id)
        users.add_user(session=s, actor=irina, login="fedor", role="executor")  # egor is in the world
        with clock.frozen(at("2026-11-16 09:00")):
            order = orders.add_order(session=s, actor=anna, deal_id=world.ids["C1"], title="Сайт")

        def work(login, estimate, minutes, start, done):
            with clock.frozen(at(start)):
                task = tasks.add_task(session=s, actor=anna, order_id=order.id, title=f"{login} {start}",
                                      type="design", assignee=login, estimate=estimate)
            timer.add_entry(session=s, actor=irina, task_id=task.id, login=login, minutes=minutes, at=at(start))
            with clock.frozen(at(done)):
                tasks.set_status(session=s, actor=irina, task_id=task.id, status="done")

        work("egor", "2h", 180, "2026-11-17 09:00", "2026-11-17 12:00")  # 2026-W47
        work("egor", "4h", 120, "2026-11-23 08:00", "2026-11-23 10:00")  # 2026-W48
        work("fedor", "1h", 60, "2026-11-23 08:00", "2026-11-23 09:00")  # 2026-W48
    app = make("irina")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await press(pilot, "v")
        chart = app.screen.query_one("#trend")
        assert chart.weeks == ["2026-W41", "2026-W42", "2026-W43", "2026-W44", "2026-W45", "2026-W46", "2026-W47",
                               "2026-W48"]
        assert chart.series == {"egor": [(6, 1.5), (7, 0.5)], "fedor": [(7, 1.0)]}
        assert chart.display and not app.screen.query_one("#trend-empty").display


async def test_without_time_entries_the_trend_is_one_calm_line(world, make):
    app = make("irina")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await press(pilot, "v")
        empty = app.screen.query_one("#trend-empty")
        assert empty.display and "No timed tasks yet" in str(empty.render())
        assert not app.screen.query_one("#trend").display


async def test_d_mails_the_proposal_and_moves_the_deal_then_the_invoice_is_numbered(world, make):
    """Issue 27's demo: on the Deal screen `d` `1` makes the proposal, the local SMTP server gets
    it at the client's address and the deal enters proposal_sent; `d` then the invoice with its
    amount makes invoice № 1 with the amount in words, listed on the card."""
    from docx import Document as Docx

    from tests.core.documents_world import REQUISITES
    from tests.smtp_server import smtp_server
    from yoolla_tui.core.calls import clients
    from yoolla_tui.core.documents import company, mail

    with smtp_server() as (port, inbox):
        with db.session_scope(world.engine) as s:
            company.set_company(session=s, actor=world.irina, **REQUISITES)
            mail.set_mail(session=s, actor=world.irina, host="127.0.0.1", port=port, sender="sales@yoolla.example")
            clients.edit_client(session=s, actor=world.irina, ref="+74951000001", email="c1@client.example",
                                contact_person="Иванов Пётр")
        app = make()
        async with app.run_test(size=(100, 32)) as pilot:
            await open_first(pilot)
            await press(pilot, "3")  # interested: the deal moves to agreed and stays open
            await press(pilot, "d", "1")  # commercial proposal: make and mail to c1@client.example
            assert "Коммерческое предложение № 1" in message(app) and "mailed to c1@client.example" in message(app)
            assert stage_code(world.engine, world.ids["C1"]) == "proposal_sent"
            await press(pilot, "d", "2", *"15000", "enter")  # invoice: make and mail, the amount asked first
            assert stage_code(world.engine, world.ids["C1"]) == "invoice_issued"
            card = str(app.screen.query_one("#deal").render())
            assert "Счёт на оплату № 1" in card and "mailed to c1@client.example" in card
    assert [(m[1], m[2]["Subject"].split(" от ")[0]) for m in inbox.received] == [
        (["c1@client.example"], "Коммерческое предложение № 1"), (["c1@client.example"], "Счёт на оплату № 1")]
    attachment = next(inbox.received[1][2].iter_attachments())
    import io

    text = "\n".join(p.text for p in Docx(io.BytesIO(attachment.get_content())).paragraphs)
    assert "Пятнадцать тысяч рублей 00 копеек" in text
