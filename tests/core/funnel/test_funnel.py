"""The one transition rule (funnel.check_transition), stage settings, lost reasons and
checkpoints in core: what each promises, on the small world of tests/core/world.py."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from yoolla_tui.core.funnel import checkpoints, transition as funnel, stages
from yoolla_tui.core.kernel import clock, reference
from yoolla_tui.core.calls import deals
from yoolla_tui.core.kernel.errors import BadInput, Conflict, GateNotMet, PermissionDenied
from yoolla_tui.core.kernel.models import AuditRecord, Deal, Stage

from tests.core.world import at, build, deal_ids


@pytest.fixture
def w(admin, session):
    w = build(session, n_clients=6)
    w.deal = deal_ids(session, w.irina, "W48")  # C1 anna, C2 boris, C3 vera, C4 anna, ...
    w.pipeline = reference.get_pipeline(session, "seminar").id
    w.stage = {s.code: s for s in reference.stages(session, w.pipeline)}
    return w


def _deal(w, name) -> Deal:
    return w.session.get(Deal, w.deal[name])


def test_check_transition_names_every_unmet_condition_at_once(w):
    with clock.frozen(at("2026-11-23 10:00")):
        checkpoints.add_type(session=w.session, actor=w.irina, name="Design", stage="agreed")
        planned = checkpoints.plan(session=w.session, actor=w.anna, deal_id=w.deal["C1"], type_name="Design",
                                   due=at("2026-11-25 18:00"))
        missing = funnel.check_transition(w.session, w.anna, _deal(w, "C1"), w.stage["paid"])
    assert missing == ["a payment (yoolla deal pay {d} AMOUNT)".format(d=w.deal["C1"]),
                       f"checkpoint {planned.id} 'Design' done (yoolla checkpoint done {planned.id})"]
    # The same by ids and codes, as the dashboard asks before a move.
    assert funnel.unmet(session=w.session, actor=w.anna, deal_id=w.deal["C1"], to="paid") == missing
    assert funnel.unmet(session=w.session, actor=w.anna, deal_id=w.deal["C1"], to="refused", reason="other") == [
        "a note for lost reason 'other' (--note)"]
    with pytest.raises(PermissionDenied):
        funnel.unmet(session=w.session, actor=w.anna, deal_id=w.deal["C2"], to="agreed")


def test_a_refused_move_raises_gate_not_met_with_all_of_them_and_changes_nothing(w):
    deal = _deal(w, "C1")
    with clock.frozen(at("2026-11-23 10:00")):
        with pytest.raises(GateNotMet) as err:
            deals.advance(session=w.session, actor=w.anna, deal_id=deal.id, to="refused", reason="other")
    assert err.value.message == f"deal {deal.id} cannot enter 'refused': it needs a note for lost reason 'other' (--note)"
    assert deal.stage_id == w.stage["to_call"].id and deal.closed_at is None


def test_moving_back_is_for_supervisors_and_admins(w):
    with clock.frozen(at("2026-11-23 10:00")):
        deals.advance(session=w.session, actor=w.anna, deal_id=w.deal["C1"], to="proposal_sent")
        deals.advance(session=w.session, actor=w.boris, deal_id=w.deal["C2"], to="proposal_sent")
        assert funnel.check_transition(w.session, w.anna, _deal(w, "C1"), w.stage["agreed"]) == [
            "a supervisor or an admin to move it back from 'proposal_sent'"]
        assert funnel.check_transition(w.session, w.irina, _deal(w, "C1"), w.stage["agreed"]) == []
        with pytest.raises(GateNotMet):
            deals.advance(session=w.session, actor=w.anna, deal_id=w.deal["C1"], to="to_call")
        deals.advance(session=w.session, actor=w.irina, deal_id=w.deal["C2"], to="agreed")
        # Losing a deal is not moving back: a manager may.
        deals.advance(session=w.session, actor=w.anna, deal_id=w.deal["C1"], to="refused", reason="too_expensive")
    assert _deal(w, "C2").stage_id == w.stage["agreed"].id
    assert _deal(w, "C1").lost_at_stage_id == w.stage["proposal_sent"].id


def test_a_gate_holds_only_deals_that_have_its_checkpoint_and_never_a_loss(w):
    with clock.frozen(at("2026-11-23 10:00")):
        checkpoints.add_type(session=w.session, actor=w.irina, name="Brief", stage="to_call")
        cp = checkpoints.plan(session=w.session, actor=w.anna, deal_id=w.deal["C1"], type_name="Brief", due=at("2026-11-24 12:00"))
        # C4 (anna's too) has no Brief planned: not held.
        deals.advance(session=w.session, actor=w.anna, deal_id=w.deal["C4"], to="agreed")
        # The interested outcome goes through the same rule.
        with pytest.raises(GateNotMet) as err:
            deals.log_call(session=w.session, actor=w.anna, deal_id=w.deal["C1"], outcome="interested")
        assert f"checkpoint {cp.id} 'Brief' done" in err.value.message
        # Losing the deal is never held by a checkpoint.
        assert funnel.check_transition(w.session, w.anna, _deal(w, "C1"), w.stage["refused"],
                                       reference.get_lost_reason(w.session, "too_expensive")) == []
        checkpoints.mark_done(session=w.session, actor=w.anna, checkpoint_id=cp.id)
        deals.log_call(session=w.session, actor=w.anna, deal_id=w.deal["C1"], outcome="interested")
    assert _deal(w, "C1").stage_id == w.stage["agreed"].id


def test_only_the_types_roles_and_users_mark_done_and_planners_are_the_team(w):
    with clock.frozen(at("2026-11-23 10:00")):
        checkpoints.add_type(session=w.session, actor=w.irina, name="Testing", roles="executor", users_="boris")
        cp = checkpoints.plan(session=w.session, actor=w.anna, deal_id=w.deal["C1"], type_name="testing",
                              due=at("2026-11-26 18:00"))
        with pytest.raises(PermissionDenied) as err:
            checkpoints.mark_done(session=w.session, actor=w.anna, checkpoint_id=cp.id)
        assert err.value.message == f"anna (manager) may not mark checkpoint {cp.id} 'Testing' done: only executor, boris may"
        with pytest.raises(PermissionDenied):  # boris is not anna's supervisor: he may mark, not plan
            checkpoints.plan(session=w.session, actor=w.boris, deal_id=w.deal["C1"], type_name="Testing", due=at("2026-11-27 18:00"))
        # irina supervises anna: she re-plans it.
        checkpoints.plan(session=w.session, actor=w.irina, deal_id=w.deal["C1"], type_name="Testing", due=at("2026-11-27 18:00"))
    with clock.frozen(at("2026-11-28 10:00")):
        done = checkpoints.mark_done(session=w.session, actor=w.egor, checkpoint_id=cp.id, at=at("2026-11-27 19:00"))
    assert (done.due_at, done.done_at, done.done_by_id) == (at("2026-11-27 18:00"), at("2026-11-27 19:00"), w.egor.id)
    assert checkpoints.list_for_deal(session=w.session, actor=w.anna, deal_id=w.deal["C1"])[0]["state"] == "done_late"
    with clock.frozen(at("2026-11-28 10:00")), pytest.raises(Conflict):
        checkpoints.mark_done(session=w.session, actor=w.egor, checkpoint_id=cp.id)


def test_stage_budget_change_recomputes_open_deals_deadlines_in_bulk(w):
    s = w.session
    with clock.frozen(at("2026-11-24 10:00")):
        deals.advance(session=s, actor=w.anna, deal_id=w.deal["C1"], to="agreed")
    with clock.frozen(at("2026-11-25 10:00")):
        deals.advance(session=s, actor=w.boris, deal_id=w.deal["C2"], to="agreed")
        deals.advance(session=s, actor=w.anna, deal_id=w.deal["C4"], to="agreed")
        deals.advance(session=s, actor=w.anna, deal_id=w.deal["C4"], to="refused", reason="competitor")  # closed
        result = stages.set_stage(session=s, actor=w.irina, code="agreed", time_budget_days=3)
    assert result["recomputed"] == 2
    due = dict(s.execute(select(Deal.id, Deal.stage_due_at)).all())
    assert due[w.deal["C1"]] == at("2026-11-26 18:00")  # Tue + 3 business days, the entry day counting
    assert due[w.deal["C2"]] == at("2026-11-27 18:00")
    assert due[w.deal["C4"]] is None  # closed deals keep none
    with clock.frozen(at("2026-11-25 11:00")):
        stages.set_stage(session=s, actor=w.irina, code="agreed", time_budget_days=None)
    assert s.scalar(select(Deal.stage_due_at).where(Deal.id == w.deal["C1"])) is None


def test_stage_add_move_rename_remove(w):
    s = w.session
    with clock.frozen(at("2026-11-23 10:00")):
        stages.add_stage(session=s, actor=w.irina, code="contract", name="Contract signed", after="invoice_issued",
                         time_budget_days=2, required="invoice", close_tasks=True)
        rows = stages.list_stages(session=s)
        assert [r["code"] for r in rows] == ["to_call", "agreed", "proposal_sent", "invoice_issued", "contract", "paid",
                                             "attended", "refused"]
        assert rows[4] | {"id": None} == {"id": None, "pipeline": "seminar", "position": 5, "code": "contract",
                                          "name": "Contract signed", "kind": "open", "followup_days": None,
                                          "time_budget_days": 2, "required_fields": ["invoice"], "close_tasks": True,
                                          "deals": 0}
        stages.move_stage(session=s, actor=w.irina, code="contract", position=2)
        stages.rename_stage(session=s, actor=w.irina, code="contract", name="Договор")
        assert [(r["position"], r["code"], r["name"]) for r in stages.list_stages(session=s)][:3] == [
            (1, "to_call", "To call"), (2, "contract", "Договор"), (3, "agreed", "Agreed")]
        stages.remove_stage(session=s, actor=w.irina, code="contract")
        assert [r["position"] for r in stages.list_stages(session=s)] == [1, 2, 3, 4, 5, 6, 7]
        with pytest.raises(Conflict) as err:
            stages.remove_stage(session=s, actor=w.irina, code="to_call")
        assert err.value.message == "stage 'to_call' holds 6 deal(s); move them first (yoolla deal list --stage to_call --closed --all)"
        with pytest.raises(PermissionDenied):
            stages.rename_stage(session=s, actor=w.sveta, code="agreed", name="x")
        with pytest.raises(BadInput):
            stages.set_stage(session=s, actor=w.irina, code="agreed", required="contract")
    actions = set(s.scalars(select(AuditRecord.action).where(AuditRecord.action.like("stage.%"))))
    assert actions == {"stage.add", "stage.move", "stage.rename", "stage.remove"}


def test_lost_reasons_add_and_remove(w):
    s = w.session
    with clock.frozen(at("2026-11-23 10:00")):
        stages.add_lost_reason(session=s, actor=w.irina, code="moved_away", name="Moved away", final=True)
        stages.remove_lost_reason(session=s, actor=w.irina, code="bad_timing")
        with pytest.raises(Conflict):
            stages.add_lost_reason(session=s, actor=w.irina, code="moved_away", name="again")
    codes = {r["code"]: r for r in reference.list_lost_reasons(s)}
    assert codes["moved_away"]["final"] is True and "bad_timing" not in codes


def test_stage_names_are_translated_and_given_names_kept(w, monkeypatch):
    with clock.frozen(at("2026-11-23 10:00")):
        stages.add_stage(session=w.session, actor=w.irina, code="contract", name="Договор подписан")
    monkeypatch.setenv("YOOLLA_LANG", "ru")
    names = [r["name"] for r in stages.list_stages(session=w.session)]
    assert names == ["Позвонить", "Согласие", "КП отправлено", "Счёт выставлен", "Оплачено", "Договор подписан",
                     "Посетил", "Отказ"]
    monkeypatch.setenv("YOOLLA_LANG", "en")
    translated = stages.default_names()
    monkeypatch.setenv("YOOLLA_LANG", "ru")
    assert all(en != ru for en, ru in zip(translated, stages.default_names()))  # the catalogue has every one


def test_stage_of_a_gate_cannot_be_removed(w):
    with clock.frozen(at("2026-11-23 10:00")):
        stages.add_stage(session=w.session, actor=w.irina, code="qa", name="QA")
        checkpoints.add_type(session=w.session, actor=w.irina, name="Tested", stage="qa")
        with pytest.raises(Conflict) as err:
            stages.remove_stage(session=w.session, actor=w.irina, code="qa")
    assert err.value.message == ("stage 'qa' gates checkpoint type(s) 'Tested'; unbind them first "
                                 "(yoolla checkpoint type set NAME --stage none)")
    assert w.session.scalars(select(Stage).where(Stage.code == "qa")).first() is not None
    with clock.frozen(at("2026-11-23 10:00")):
        checkpoints.edit_type(session=w.session, actor=w.irina, name="tested", stage="none", roles="executor", users_="egor")
        assert checkpoints.list_types(session=w.session) == [
            {"id": 1, "name": "Tested", "stage": None, "roles": ["executor"], "users": ["egor"]}]
        stages.remove_stage(session=w.session, actor=w.irina, code="qa")
