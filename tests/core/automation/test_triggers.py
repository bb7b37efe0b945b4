"""Stage triggers and processes in core (issue 27): each kind fires on entry and not when
switched off, a failing trigger refuses the move and leaves nothing written, and the approval's
gate, approve and reject (back, or to lost as the template says)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.conftest import dump
from yoolla_tui.core.automation import processes as process_moves, triggers
from yoolla_tui.core.calls import deals
from yoolla_tui.core.funnel import checkpoints, transition
from yoolla_tui.core.kernel import clock, db
from yoolla_tui.core.kernel.errors import Conflict, GateNotMet, PermissionDenied, BadInput
from yoolla_tui.core.kernel.models import (AuditRecord, Checkpoint, Deal, DealProcess, Notification, Order, Stage, Task,
                                           User)
from yoolla_tui.core.reports import processes as process_report
from yoolla_tui.core.work import inbox, processes, tasks, templates, timer

from tests.core.world import at, build, deal_ids

NOW = "2026-11-23 10:00"  # a Monday


@pytest.fixture
def w(admin, session):
    w = build(session)
    w.deal = deal_ids(session, w.irina, "W48")
    with clock.frozen(at("2026-11-23 08:00")):
        checkpoints.add_type(session=session, actor=w.irina, name="Design made")
    session.commit()
    return w


def _add(w, stage, kind, **options):
    with clock.frozen(at("2026-11-23 09:00")):
        return triggers.add_trigger(session=w.session, actor=w.irina, stage=stage, kind=kind, options=options)


def _interested(w, client):
    """The deal's manager logs `interested`: a new deal moves from to_call into agreed."""
    deal = w.session.get(Deal, w.deal[client])
    manager = w.session.get(User, deal.manager_id)
    with clock.frozen(at(NOW)):
        deals.log_call(session=w.session, actor=manager, deal_id=deal.id, outcome="interested")
    return deal


KIND_OPTIONS = {
    "process": {"template": "assignment"},
    "checkpoint": {"type": "Design made", "days": 2},
    "task": {"title": "Send the programme", "estimate": "45m", "role": "executor"},
    "notify": {"users": "boris", "manager": True, "text": "Prepare the proposal"},
}


def _effects(session, deal_id) -> dict:
    return {"process": session.scalars(select(DealProcess.template).where(DealProcess.deal_id == deal_id)).all(),
            "checkpoint": [c.due_at for c in session.scalars(select(Checkpoint).where(Checkpoint.deal_id == deal_id))],
            "task": session.scalars(select(Task.title).join(Order, Order.id == Task.order_id)
                                    .where(Order.deal_id == deal_id)).all(),
            "notify": [n.data["deal"] for n in session.scalars(select(Notification).where(Notification.kind == "stage_trigger"))
                       if n.data["deal"] == deal_id]}


@pytest.mark.parametrize("kind", sorted(KIND_OPTIONS))
def test_each_kind_fires_when_on_and_not_when_off(w, kind):
    s = w.session
    trigger = _add(w, "agreed", kind, **KIND_OPTIONS[kind])
    _interested(w, "C1")
    fired = _effects(s, w.deal["C1"])[kind]
    assert fired, f"{kind} did not fire"
    with clock.frozen(at(NOW)):
        triggers.set_enabled(session=s, actor=w.irina, trigger_id=trigger.id, enabled=False)
    _interested(w, "C2")
    assert s.get(Stage, s.get(Deal, w.deal["C2"]).stage_id).code == "agreed"
    assert not _effects(s, w.deal["C2"])[kind], f"{kind} fired while off"
    runs = triggers.runs_for_deal(s, w.deal["C2"])
    assert runs == []
    with clock.frozen(at(NOW)):
        triggers.set_enabled(session=s, actor=w.irina, trigger_id=trigger.id, enabled=True)
    _interested(w, "C3")
    assert _effects(s, w.deal["C3"])[kind]


def test_every_kind_does_what_it_says_and_each_run_is_on_the_deal_card(w):
    s = w.session
    for kind in ("process", "checkpoint", "task", "notify"):
        _add(w, "agreed", kind, **KIND_OPTIONS[kind])
    deal = _interested(w, "C1")
    process = s.scalars(select(DealProcess).where(DealProcess.deal_id == deal.id)).one()
    assert (process.template, process.name, process.status, process.gate, process.estimate_minutes) == (
        "assignment", "Поручение", "running", False, 75)
    assert [(t.title, s.get(User, t.assignee_id).login, t.estimate_minutes) for t in
            s.scalars(select(Task).where(Task.order_id == process.order_id).order_by(Task.id))] == [
        ("Выполнить поручение", "egor", 60), ("Принять результат", "anna", 15)]
    checkpoint = s.scalars(select(Checkpoint).where(Checkpoint.deal_id == deal.id)).one()
    assert clock.iso(checkpoint.due_at) == "2026-11-25T18:00:00+03:00"  # two business days after Monday
    task = s.scalars(select(Task).where(Task.title == "Send the programme")).one()
    assert (s.get(User, task.assignee_id).login, task.estimate_minutes) == ("egor", 45)
    with clock.frozen(at(NOW)):
        boris = [n["text"] for n in inbox.list_inbox(session=s, actor=w.boris)]
        anna = [n["text"] for n in inbox.list_inbox(session=s, actor=w.anna)]
    assert boris == [f"Deal {deal.id} entered 'Agreed': Prepare the proposal"]
    assert anna == boris  # the deal's manager
    with clock.frozen(at(NOW)):
        card = deals.show(session=s, actor=w.anna, deal_id=deal.id)
    assert [(r["stage"], r["kind"], r["user"]) for r in card["triggers"]] == [("agreed", k, "anna") for k in
                                                                              ("process", "checkpoint", "task", "notify")]
    assert card["triggers"][3]["result"] == {"notified": ["anna", "boris"]}
    assert [p["name"] for p in card["processes"]] == ["Поручение"]


def test_a_failing_trigger_refuses_the_move_and_writes_nothing(w, engine):
    s = w.session
    _add(w, "agreed", "notify", roles="supervisor", text="first trigger writes something")
    bad = _add(w, "agreed", "task", title="Send the programme", estimate="45m", login="egor")
    s.get(User, w.egor.id).active = False  # egor left after the trigger was set up
    s.commit()
    before = dump(engine)
    with pytest.raises(GateNotMet) as refused:
        with db.session_scope(engine) as other, clock.frozen(at(NOW)):
            anna = other.get(User, w.anna.id)
            deals.log_call(session=other, actor=anna, deal_id=w.deal["C1"], outcome="interested")
    assert refused.value.message == (
        f"deal {w.deal['C1']} cannot enter 'agreed': trigger {bad.id} (task 'Send the programme' for egor, 45 min) "
        "failed: user 'egor' is deactivated")
    assert dump(engine) == before


def test_triggers_are_for_admins_audited_and_checked_when_added(w):
    s = w.session
    with pytest.raises(PermissionDenied):
        triggers.add_trigger(session=s, actor=w.anna, stage="agreed", kind="notify", options={"users": "boris"})
    with pytest.raises(BadInput, match="a deal entering it is closed"):
        _add(w, "attended", "task", title="x", estimate="1h", role="executor")
    with pytest.raises(BadInput, match="unknown role 'designer'"):
        _add(w, "agreed", "task", title="x", estimate="1h", role="designer")
    with pytest.raises(Exception, match="no process template 'nope'"):
        _add(w, "agreed", "process", template="nope")
    trigger = _add(w, "paid", "notify", roles="supervisor")
    with clock.frozen(at(NOW)):
        triggers.set_enabled(session=s, actor=w.irina, trigger_id=trigger.id, enabled=False)
        with pytest.raises(Conflict, match="already off"):
            triggers.set_enabled(session=s, actor=w.irina, trigger_id=trigger.id, enabled=False)
        triggers.remove_trigger(session=s, actor=w.irina, trigger_id=trigger.id)
    actions = s.scalars(select(AuditRecord.action).where(AuditRecord.entity == "stage_trigger")
                        .order_by(AuditRecord.id)).all()
    assert actions == ["trigger.add", "trigger.off", "trigger.remove"]
    assert triggers.list_triggers(session=s) == []


def _approval_world(w):
    _add(w, "agreed", "process", template="approval")
    with clock.frozen(at(NOW)):
        deals.advance(session=w.session, actor=w.anna, deal_id=w.deal["C1"], to="agreed")
    w.session.commit()
    return w.session.scalars(select(DealProcess).where(DealProcess.deal_id == w.deal["C1"])).one()


def test_approval_holds_the_deal_until_approved(w):
    s = w.session
    process = _approval_world(w)
    prepare, decide = s.scalars(select(Task).where(Task.order_id == process.order_id).order_by(Task.id)).all()
    assert (s.get(User, prepare.assignee_id).login, s.get(User, decide.assignee_id).login) == ("anna", "sveta")
    with clock.frozen(at(NOW)):
        assert transition.unmet(session=s, actor=w.anna, deal_id=w.deal["C1"], to="invoice_issued") == [
            f"an invoice (yoolla deal invoice {w.deal['C1']} AMOUNT)",
            f"process {process.id} 'Согласование' approved (yoolla process approve {process.id})"]
        with pytest.raises(GateNotMet, match="Согласование' approved"):
            deals.invoice(session=s, actor=w.anna, deal_id=w.deal["C1"], amount="15000")
    s.rollback()  # the refused invoice wrote nothing
    assert s.get(Deal, w.deal["C1"]).invoice_cents is None
    with clock.frozen(at(NOW)):
        with pytest.raises(Conflict, match="waits on"):
            processes.approve(session=s, actor=w.sveta, process_id=process.id)
        tasks.set_status(session=s, actor=w.anna, task_id=prepare.id, status="done")
    with clock.frozen(at("2026-11-23 12:30")):
        processes.approve(session=s, actor=w.sveta, process_id=process.id, note="ok")
        assert (process.status, clock.iso(process.finished_at), s.get(User, process.decided_by_id).login) == (
            "approved", "2026-11-23T12:30:00+03:00", "sveta")
        deals.invoice(session=s, actor=w.anna, deal_id=w.deal["C1"], amount="15000")
    assert s.get(Stage, s.get(Deal, w.deal["C1"]).stage_id).code == "invoice_issued"


def test_rejected_approval_sends_the_deal_back(w):
    s = w.session
    process = _approval_world(w)
    with clock.frozen(at("2026-11-23 11:00")):
        with pytest.raises(PermissionDenied):
            process_moves.reject(session=s, actor=w.boris, process_id=process.id, note="no")
        result = process_moves.reject(session=s, actor=w.sveta, process_id=process.id, note="Discount too big")
    assert result["stage"] == "to_call"  # the open stage before agreed, where the approval started
    assert (process.status, process.note) == ("rejected", "Discount too big")
    assert set(s.scalars(select(Task.status).where(Task.order_id == process.order_id))) == {"cancelled"}
    assert s.get(Order, process.order_id).status == "cancelled"
    # The gate no longer holds: the deal can enter agreed again, and a new approval starts.
    with clock.frozen(at("2026-11-23 12:00")):
        deals.advance(session=s, actor=w.anna, deal_id=w.deal["C1"], to="agreed")
    assert [p.status for p in s.scalars(select(DealProcess).order_by(DealProcess.id))] == ["rejected", "running"]


def test_rejected_approval_sends_the_deal_to_lost_when_the_template_says_so(w, tmp_path, monkeypatch):
    for path in templates.TEMPLATES_DIR.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("code") == "approval":
            data["on_reject"] = {"to": "lost", "reason": "too_expensive"}
        (tmp_path / path.name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(templates, "TEMPLATES_DIR", tmp_path)
    s = w.session
    process = _approval_world(w)
    with clock.frozen(at("2026-11-23 11:00")):
        result = process_moves.reject(session=s, actor=w.sveta, process_id=process.id, note="Too dear")
    deal = s.get(Deal, w.deal["C1"])
    assert (result["stage"], deal.closed_at is not None, deal.lost_note) == ("refused", True, "Too dear")
    assert s.get(Stage, deal.lost_at_stage_id).code == "agreed"


def test_process_report_against_the_estimate(w):
    s = w.session
    _add(w, "agreed", "process", template="assignment")
    _interested(w, "C1")
    process = s.scalars(select(DealProcess)).one()
    do, check = s.scalars(select(Task).where(Task.order_id == process.order_id).order_by(Task.id)).all()
    with clock.frozen(at("2026-11-23 10:00")):
        timer.start(session=s, actor=w.egor, task_id=do.id)
    with clock.frozen(at("2026-11-23 11:30")):
        timer.stop(session=s, actor=w.egor)
        tasks.set_status(session=s, actor=w.egor, task_id=do.id, status="done")
        row = process_report.processes(session=s, actor=w.irina)[0]
        assert (row["status"], row["worked_minutes"], row["estimate_minutes"], row["ratio"]) == ("running", 90, 75, 1.2)
    with clock.frozen(at("2026-11-23 14:00")):
        tasks.set_status(session=s, actor=w.anna, task_id=check.id, status="done")
        rows = process_report.processes(session=s, actor=w.irina, template="Поручение")
    assert [(r["name"], r["status"], r["finished_at"], r["elapsed_hours"], r["ratio"]) for r in rows] == [
        ("Поручение", "done", "2026-11-23T14:00:00+03:00", 4.0, 1.2)]
    assert process_report.processes(session=s, actor=w.irina, status="running") == []


def test_a_document_trigger_makes_the_invoice_and_switched_off_makes_none(admin, session):
    from tests.core.documents_world import documents_world
    from yoolla_tui.core.kernel.models import Document

    w = documents_world(session)
    trigger = _add(w, "invoice_issued", "document", document="invoice")
    with clock.frozen(at(NOW)):
        deals.invoice(session=session, actor=w.anna, deal_id=w.deal["C1"], amount="15000")
    made = session.scalars(select(Document)).one()
    assert (made.deal_id, made.kind, made.number, made.amount_cents) == (w.deal["C1"], "invoice", 1, 1500000)
    assert __import__("pathlib").Path(made.path).exists()
    assert triggers.runs_for_deal(session, w.deal["C1"])[0]["result"]["document"] == made.id
    with clock.frozen(at(NOW)):
        triggers.set_enabled(session=session, actor=w.irina, trigger_id=trigger.id, enabled=False)
        deals.invoice(session=session, actor=w.anna, deal_id=w.deal["C4"], amount="9000")
    assert session.scalars(select(Document.deal_id)).all() == [w.deal["C1"]]


def test_a_failing_trigger_after_a_document_leaves_no_row_and_no_file(admin, session, engine, tmp_path, monkeypatch):
    from tests.core.documents_world import documents_world

    monkeypatch.setenv("YOOLLA_DOCUMENTS_DIR", str(tmp_path / "documents"))
    w = documents_world(session)
    _add(w, "invoice_issued", "document", document="invoice")
    _add(w, "invoice_issued", "task", title="Check the payment", estimate="15m", login="egor")
    session.get(User, w.egor.id).active = False
    session.commit()
    before = dump(engine)
    with pytest.raises(GateNotMet, match="trigger 2 .* failed: user 'egor' is deactivated"):
        with db.session_scope(engine) as other, clock.frozen(at(NOW)):
            deals.invoice(session=other, actor=other.get(User, w.anna.id), deal_id=w.deal["C1"], amount="15000")
    assert dump(engine) == before
    made = [p for p in (tmp_path / "documents").rglob("*") if p.is_file()]
    assert made == []  # the invoice trigger 1 wrote is gone too


def test_a_stage_with_triggers_or_processes_is_not_removed(w):
    s = w.session
    from yoolla_tui.core.funnel import stages

    with clock.frozen(at(NOW)):
        stages.add_stage(session=s, actor=w.irina, code="briefed", name="Briefed", after="agreed")
        trigger = _add(w, "briefed", "notify", roles="supervisor")
        with pytest.raises(Conflict, match=f"stage 'briefed' has trigger\\(s\\) {trigger.id}; remove them first"):
            stages.remove_stage(session=s, actor=w.irina, code="briefed")
        triggers.remove_trigger(session=s, actor=w.irina, trigger_id=trigger.id)
        stages.remove_stage(session=s, actor=w.irina, code="briefed")
        stages.add_stage(session=s, actor=w.irina, code="briefed", name="Briefed", after="agreed")
        deals.advance(session=s, actor=w.anna, deal_id=w.deal["C1"], to="briefed")
        process_moves.start(session=s, actor=w.anna, deal_id=w.deal["C1"], template="complaint")
        deals.invoice(session=s, actor=w.anna, deal_id=w.deal["C1"], amount="15000")  # the deal moves on
        with pytest.raises(Conflict, match="stage 'briefed' is where 1 process\\(es\\) started"):
            stages.remove_stage(session=s, actor=w.irina, code="briefed")


def test_a_call_whose_move_fired_triggers_is_not_undone(w):
    s = w.session
    _add(w, "agreed", "notify", manager=True)
    with clock.frozen(at(NOW)):
        fired = deals.log_call(session=s, actor=w.anna, deal_id=w.deal["C1"], outcome="interested")
        quiet = deals.log_call(session=s, actor=w.boris, deal_id=w.deal["C2"], outcome="no_answer")
    with clock.frozen(at("2026-11-23 10:01")):
        with pytest.raises(Conflict, match=f"call {fired.id} moved deal {w.deal['C1']} into 'agreed', whose triggers ran \\(1\\)"):
            deals.undo_call(session=s, actor=w.anna, call_id=fired.id)
        deals.undo_call(session=s, actor=w.boris, call_id=quiet.id)  # no trigger ran: undone as before
