"""Tasks and orders in core: queue order, notifications when a blocker is done, the timer,
refusals that change nothing, templates, and a close_tasks stage cancelling a deal's tasks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import dump
from yoolla_tui.core.kernel import clock
from yoolla_tui.core.calls import deals
from yoolla_tui.core.work import efficiency, inbox, orders, tasks, timer
from yoolla_tui.core.kernel.errors import BadInput, Conflict, NotFound, PermissionDenied
from yoolla_tui.core.kernel.models import AuditRecord, Stage, Task

from tests.core.tasks_world import MONDAY, build_tasks, chain
from tests.core.world import at


@pytest.fixture
def w(admin, session):
    return build_tasks(session)


def test_queue_order_task_priority_order_priority_due_then_age(w):
    s = w.session
    with clock.frozen(at(MONDAY)):
        low = orders.add_order(session=s, actor=w.anna, deal_id=w.deal["C1"], title="Low", priority=0)
        add = lambda order, title, **kw: tasks.add_task(session=s, actor=w.anna, order_id=order.id, title=title,  # noqa: E731
                                                        type="design", assignee="egor", estimate="1h", **kw).id
        old = add(low, "old")
        young = add(low, "young")
        due = add(low, "due", due=at("2026-11-03 12:00"))
        high_order = add(w.order, "high order")
        urgent = add(low, "urgent", priority=3)
        queue = tasks.queue(session=s, actor=w.egor)
    assert [r["id"] for r in queue] == [urgent, high_order, due, old, young]
    assert [r["position"] for r in queue] == [1, 2, 3, 4, 5]
    assert queue[0]["start"] == "2026-11-02T09:00:00+03:00" and queue[-1]["finish"] == "2026-11-02T14:00:00+03:00"


def test_blocked_task_leaves_the_queue_and_its_people_are_notified_when_the_blocker_is_done(w):
    s = w.session
    logo, design, build, testing = chain(s, w)
    with clock.frozen(at(MONDAY)):
        assert [r["id"] for r in tasks.queue(session=s, actor=w.fedor)] == []
        assert [r["id"] for r in tasks.queue(session=s, actor=w.fedor, include_waiting=True)] == [build.id]
        with pytest.raises(Conflict, match=f"task {build.id} waits on task {design.id} \\(Design\\), not finished yet"):
            tasks.set_status(session=s, actor=w.fedor, task_id=build.id, status="in_progress")
    with clock.frozen(at("2026-11-03 17:00")):
        tasks.set_status(session=s, actor=w.egor, task_id=design.id, status="done")
        assert [r["id"] for r in tasks.queue(session=s, actor=w.fedor)] == [build.id]
        fedor = inbox.list_inbox(session=s, actor=w.fedor)
        anna = inbox.list_inbox(session=s, actor=w.anna)
        assert inbox.list_inbox(session=s, actor=w.egor) == []  # testing still waits on build
    expected = f"Task {build.id} 'Build' is ready to start: task {design.id} 'Design' is done"
    assert [(n["task_id"], n["text"], n["at"]) for n in fedor] == [(build.id, expected, "2026-11-03T17:00:00+03:00")]
    assert [n["text"] for n in anna] == [expected]  # a watcher
    with clock.frozen(at("2026-11-03 17:30")):
        assert inbox.mark_read(session=s, actor=w.fedor) == 1
        assert inbox.list_inbox(session=s, actor=w.fedor) == []
        assert [n["read"] for n in inbox.list_inbox(session=s, actor=w.fedor, include_read=True)] == [True]


def test_refusals_name_the_problem_and_change_nothing(w, engine):
    s = w.session
    logo, design, build, testing = chain(s, w)
    before = dump(engine)
    with clock.frozen(at(MONDAY)):
        with pytest.raises(Conflict) as cycle:
            tasks.depend(session=s, actor=w.anna, task_id=design.id, on=[testing.id])
        assert cycle.value.message == (f"dependency cycle: {design.id} → {testing.id} → {build.id} → {design.id} "
                                       f"(each waits on the next); task {design.id} cannot wait on {testing.id}")
        s.rollback()
        with pytest.raises(NotFound, match="unknown user 'nobody' \\(see `yoolla user list`\\)"):
            tasks.add_task(session=s, actor=w.anna, order_id=w.order.id, title="x", type="build", assignee="nobody",
                           estimate="1h")
        s.rollback()
        with pytest.raises(PermissionDenied) as other:
            tasks.set_status(session=s, actor=w.fedor, task_id=design.id, status="done")
        assert other.value.message == (f"fedor (executor) may not change the status of task {design.id}: it is assigned "
                                       "to someone else, and an executor works only their own tasks")
        s.rollback()
        with pytest.raises(PermissionDenied, match="boris \\(manager\\) may not add tasks to deal"):
            tasks.add_task(session=s, actor=w.boris, order_id=w.order.id, title="x", type="build", assignee="egor",
                           estimate="1h")
        s.rollback()
        with pytest.raises(BadInput, match="bad duration 'soon'"):
            tasks.add_task(session=s, actor=w.anna, order_id=w.order.id, title="x", type="build", assignee="egor",
                           estimate="soon")
        s.rollback()
    assert dump(engine) == before


def test_one_timer_per_user_and_actual_time_is_the_sum_of_entries(w, engine):
    s = w.session
    logo, design, build, testing = chain(s, w)
    with clock.frozen(at("2026-11-02 09:00")):
        entry, stopped = timer.start(session=s, actor=w.egor, task_id=logo.id)
        assert stopped is None
    assert s.get(Task, logo.id).status == "in_progress"
    s.commit()
    before = dump(engine)
    with clock.frozen(at("2026-11-02 09:10")):
        with pytest.raises(Conflict, match=f"your timer already runs on task {logo.id} \\(since 2026-11-02 09:00\\)"):
            timer.start(session=s, actor=w.egor, task_id=logo.id)
        s.rollback()
    assert dump(engine) == before
    with clock.frozen(at("2026-11-02 09:40")):
        second, stopped = timer.start(session=s, actor=w.egor, task_id=design.id)
    assert (stopped.task_id, stopped.stopped_at) == (logo.id, at("2026-11-02 09:40"))
    with clock.frozen(at("2026-11-02 10:00")):
        timer.stop(session=s, actor=w.egor)
        with pytest.raises(Conflict, match="no timer is running for egor"):
            timer.stop(session=s, actor=w.egor)
        timer.add_entry(session=s, actor=w.irina, task_id=logo.id, minutes=20)
        with pytest.raises(PermissionDenied, match="egor \\(executor\\) may not correct time entries"):
            timer.correct(session=s, actor=w.egor, entry_id=entry.id, minutes=5)
        timer.correct(session=s, actor=w.irina, entry_id=entry.id, minutes=30)
        assert tasks.actual_minutes(s, [logo.id, design.id]) == {logo.id: 50, design.id: 20}
    assert s.scalars(select(AuditRecord.action).where(AuditRecord.action == "timer.correct")).all() == ["timer.correct"]


def test_efficiency_ratios_per_user_and_type_and_weekly_trend(w):
    s = w.session
    logo, design, build, testing = chain(s, w)

    def work(task, user, start, minutes, done_at):
        timer.add_entry(session=s, actor=w.irina, task_id=task.id, login=user, minutes=minutes, at=at(start))
        with clock.frozen(at(done_at)):
            tasks.set_status(session=s, actor=w.irina, task_id=task.id, status="done")

    work(logo, "egor", "2026-11-02 09:00", 180, "2026-11-02 12:00")        # 2h estimated, 3h actual
    work(design, "egor", "2026-11-02 12:00", 12 * 60, "2026-11-03 18:00")  # 16h estimated, 12h actual
    work(build, "fedor", "2026-11-09 09:00", 8 * 60, "2026-11-09 17:00")   # 8h estimated, 8h actual, next week
    with clock.frozen(at("2026-11-10 09:00")):
        by_user = efficiency.report(session=s, actor=w.irina, by="user")
        by_type = efficiency.report(session=s, actor=w.irina, by="type",
                                    since=at("2026-11-09 00:00"))
        with pytest.raises(PermissionDenied):
            efficiency.report(session=s, actor=w.egor)
    table = {(r["key"], r["week"]): (r["tasks"], r["estimate_minutes"], r["actual_minutes"], r["ratio"], r["mean_actual_minutes"])
             for r in by_user}
    assert table == {("egor", "all"): (2, 1080, 900, 0.83, 450), ("egor", "2026-W45"): (2, 1080, 900, 0.83, 450),
                     ("fedor", "all"): (1, 480, 480, 1.0, 480), ("fedor", "2026-W46"): (1, 480, 480, 1.0, 480)}
    assert [(r["key"], r["week"], r["ratio"]) for r in by_type] == [("build", "all", 1.0), ("build", "2026-W46", 1.0)]


def test_template_lays_out_the_chain_assigning_the_least_loaded(w):
    s = w.session
    with clock.frozen(at(MONDAY)):
        tasks.add_task(session=s, actor=w.anna, order_id=w.order.id, title="busy", type="x", assignee="egor", estimate="40h")
        order = orders.add_order(session=s, actor=w.anna, deal_id=w.deal["C1"], title="Сайт 2", template="Сайт под ключ")
        card = orders.show(session=s, actor=w.anna, order_id=order.id)
    rows = [(t["title"], t["type"], t["assignee"], t["estimate_minutes"], t["blocked_by"]) for t in card["task_list"]]
    ids = [t["id"] for t in card["task_list"]]
    assert rows == [("Дизайн макетов", "design", "fedor", 960, []),
                    ("Прототип", "prototype", "fedor", 480, [ids[0]]),
                    ("Вёрстка и программирование", "build", "fedor", 1440, [ids[1]]),
                    ("Тестирование", "testing", "egor", 360, [ids[2]])]  # fedor 2880 min by then, egor 2400
    assert card["ready_at"] == card["task_list"][-1]["finish"]


def test_entering_a_close_tasks_stage_cancels_the_deals_open_tasks(w):
    s = w.session
    logo, design, build, testing = chain(s, w)
    stage = s.scalars(select(Stage).where(Stage.code == "agreed")).one()
    stage.close_tasks = True
    with clock.frozen(at(MONDAY)):
        tasks.set_status(session=s, actor=w.egor, task_id=logo.id, status="done")
        deals.advance(session=s, actor=w.anna, deal_id=w.deal["C1"], to="agreed")
        statuses = {t["id"]: t["status"] for t in orders.show(session=s, actor=w.anna, order_id=w.order.id)["task_list"]}
        card = deals.show(session=s, actor=w.anna, deal_id=w.deal["C1"])
    assert statuses == {logo.id: "done", design.id: "cancelled", build.id: "cancelled", testing.id: "cancelled"}
    assert card["orders"][0]["open_tasks"] == 0 and card["orders"][0]["ready_at"] is None
    audits = s.scalars(select(AuditRecord).where(AuditRecord.action == "task.status", AuditRecord.data["after"].as_string() == "cancelled")).all()
    assert sorted(a.entity_id for a in audits) == [design.id, build.id, testing.id]
    assert {a.data["stage"] for a in audits} == {"agreed"}


def test_who_sees_what(w):
    s = w.session
    logo, design, build, testing = chain(s, w)
    with clock.frozen(at(MONDAY)):
        with pytest.raises(PermissionDenied, match=f"fedor \\(executor\\) may not see task {design.id}: an executor sees only their own tasks"):
            tasks.show(session=s, actor=w.fedor, task_id=design.id)
        assert tasks.show(session=s, actor=w.anna, task_id=build.id)["watchers"] == ["anna"]
        with pytest.raises(PermissionDenied, match="egor \\(executor\\) may not see fedor's queue"):
            tasks.queue(session=s, actor=w.egor, login="fedor")
        assert [r["id"] for r in tasks.queue(session=s, actor=w.anna, login="egor")] == [logo.id, design.id]
        assert [o["id"] for o in orders.list_orders(session=s, actor=w.fedor)] == [w.order.id]
        assert orders.list_orders(session=s, actor=w.boris) == []  # not boris's deal
        with pytest.raises(PermissionDenied, match="egor \\(executor\\) may not add orders to deal"):
            orders.add_order(session=s, actor=w.egor, deal_id=w.deal["C1"], title="x")


def test_order_status_rules_and_cancelling_releases_waiting_tasks(w):
    s = w.session
    logo, design, build, testing = chain(s, w)
    with clock.frozen(at(MONDAY)):
        with pytest.raises(Conflict, match=f"order {w.order.id} still has open tasks: {design.id}, {logo.id}, {build.id}, {testing.id}"):
            orders.set_status(session=s, actor=w.anna, order_id=w.order.id, status="done")
        tasks.set_status(session=s, actor=w.anna, task_id=design.id, status="cancelled")
        notes = inbox.list_inbox(session=s, actor=w.fedor)
        assert [n["text"] for n in notes] == [f"Task {build.id} 'Build' is ready to start: task {design.id} 'Design' was cancelled"]
        orders.set_status(session=s, actor=w.anna, order_id=w.order.id, status="cancelled")
        assert {t["status"] for t in orders.show(session=s, actor=w.anna, order_id=w.order.id)["task_list"]} == {"cancelled"}
        with pytest.raises(Conflict, match=f"order {w.order.id} is cancelled; tasks cannot be added to it"):
            tasks.add_task(session=s, actor=w.anna, order_id=w.order.id, title="x", type="x", assignee="egor", estimate="1h")
