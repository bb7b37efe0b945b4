"""The demo database: a real-looking client list, three managers, and a week in progress.

The week is replayed through the same services the CLI uses, with the clock frozen at each
call's time, so the demo's history is exactly what real use would leave behind.
"""

from __future__ import annotations

import random
import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Callable

from sqlalchemy.engine import Engine

from yoolla_tui.core.automation import triggers
from yoolla_tui.core import documents
from yoolla_tui.core.calls import campaigns, deals, importing
from yoolla_tui.core.documents import company, mail
from yoolla_tui.core.kernel import clock, db, reference
from yoolla_tui.core.people import users
from yoolla_tui.core.kernel.errors import Conflict, YoollaError
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.calls.importing import samples
from yoolla_tui.core.kernel.models import Campaign, Setting, User
from yoolla_tui.core.kernel.paths import DATA_DIR

MANAGERS = [("anna", "Анна Смирнова"), ("boris", "Борис Кузнецов"), ("vera", "Вера Попова")]
ADMIN = ("admin", "Ирина Васильевна Орлова")
# The seller on the demo's documents, and a local mail server the demo mails them through: run
# `python -m aiosmtpd -n -l 127.0.0.1:8025` beside the dashboard and watch the proposals arrive.
REQUISITES = dict(name="ООО «Юлла Семинары»", inn="7701234567", kpp="770101001", account="40702810900000012345",
                  bank="ПАО Сбербанк, г. Москва", bik="044525225", corr_account="30101810400000000225",
                  address="г. Москва, ул. Тверская, д. 1", city="Москва", phone="+7 495 100-00-00",
                  email="sales@yoolla.example", director="Орлова И. В.", vat="20", item="Участие в семинаре",
                  price="15000")
DEMO_SMTP = dict(host="127.0.0.1", port=8025, sender="sales@yoolla.example", security="none")

# The demo list is a real-looking office export (data/demo/make_demo.py), loaded the way a user
# loads theirs: through `yoolla import`, junk rows and repeats included.
DEMO_LIST = DATA_DIR / "demo" / "clients.xlsx"
DEMO_LIST_SIZE = 300


def _import_list(session, admin: User, count: int, seed: int) -> dict:
    """Import the demo list (another size is generated the same way); returns the import result."""
    if count == DEMO_LIST_SIZE:
        return importing.run_import(session=session, actor=admin, path=DEMO_LIST, write_rejected=False)
    with tempfile.TemporaryDirectory() as folder:
        path = samples.write_xlsx(Path(folder) / "clients.xlsx", count, seed=seed)
        return importing.run_import(session=session, actor=admin, path=path, write_rejected=False)


def build(engine: Engine, *, clients_count: int = 300, seed: int = 48,
          progress: Callable[[str], None] | None = None) -> dict:
    """Create the demo in an empty, migrated database; replay the current week up to now.

    Returns a summary (campaign name, logins, counts). Raises YoollaError if the database has users.
    """
    say = progress or (lambda _msg: None)
    rng = random.Random(seed)
    real_now = clock.now()
    week = clock.week_of(clock.today())
    monday, _sunday = clock.parse_week(week)
    setup_at = clock.at_local(monday, time(8, 0)) - timedelta(days=3)
    with clock.frozen(setup_at), db.session_scope(engine) as session:
        reference.load_defaults(session)
        admin = users.bootstrap_admin(session=session, login=ADMIN[0], full_name=ADMIN[1])
        for login, name in MANAGERS:
            users.add_user(session=session, actor=admin, login=login, full_name=name, role="manager", supervisor=admin.login)
        loaded = _import_list(session, admin, clients_count, seed)
        say(f"{loaded['inserted']} clients imported ({loaded['duplicates']} repeats, {loaded['rejected']} junk rows rejected)")
        session.add(Setting(key="demo", value=True))
        # A stage trigger to switch off and on (issue 27): entering agreed tells the manager.
        triggers.add_trigger(session=session, actor=admin, stage="agreed", kind="notify",
                             options={"manager": True, "text": "Клиент согласился: отправьте КП"})
        company.set_company(session=session, actor=admin, **REQUISITES)
        mail.set_mail(session=session, actor=admin, **DEMO_SMTP)
        name = f"Семинар {week}"
        campaigns.create(session=session, actor=admin, name=name, week=week)
        campaigns.add_clients(session=session, actor=admin, ref=name, clients="all")
        campaigns.assign(session=session, actor=admin, ref=name, managers=[m for m, _n in MANAGERS])
    day = monday
    while day <= clock.to_local(real_now).date() and day.isoweekday() <= 5:
        say(f"replaying {day.isoformat()}")
        _replay_day(engine, name, day, real_now, rng)
        day += timedelta(days=1)
    return {"campaign": name, "week": week, "admin": ADMIN[0], "managers": [m for m, _n in MANAGERS],
            "clients": clients_count}


def _replay_day(engine: Engine, campaign: str, day, real_now: datetime, rng: random.Random) -> None:
    for login, _name in MANAGERS:
        minute = 9 * 60 + rng.randint(0, 20)
        with db.session_scope(engine) as session:
            actor = users.get_by_login(session, login)
            with clock.frozen(clock.at_local(day, time(23, 0))):
                due = deals.list_deals(session=session, actor=actor, campaign=campaign, due="today")
        # Managers work their follow-ups (proposal, invoice, payment) before new cold calls.
        due.sort(key=lambda d: d["stage"] == "to_call")
        for deal in due[:rng.randint(40, 55)]:
            minute += rng.randint(4, 12)
            at = clock.at_local(day, time(min(minute // 60, 17), minute % 60))
            if at > real_now:
                break
            with clock.frozen(at), db.session_scope(engine) as session:
                actor = users.get_by_login(session, login)
                try:
                    _one_call(session, actor, deal, rng)
                except YoollaError:
                    session.rollback()


def _one_call(session, actor: User, deal: dict, rng: random.Random) -> None:
    stage = deal["stage"]
    roll = rng.random()
    if stage == "to_call":
        if roll < .38:
            deals.log_call(session=session, actor=actor, deal_id=deal["id"], outcome="no_answer")
        elif roll < .50:
            deals.log_call(session=session, actor=actor, deal_id=deal["id"], outcome="call_back",
                           next_call=clock.now() + timedelta(days=1, hours=rng.randint(0, 3)), note="просил перезвонить завтра")
        elif roll < .75:
            deals.log_call(session=session, actor=actor, deal_id=deal["id"], outcome="interested", note="согласен, жду КП")
            documents.make_document(session=session, actor=actor, deal_id=deal["id"], kind="proposal")  # -> proposal_sent
        elif roll < .94:
            deals.log_call(session=session, actor=actor, deal_id=deal["id"], outcome="refused",
                           reason=rng.choice(["not_interested", "too_expensive", "bad_timing", "no_budget"]))
        elif roll < .97:
            deals.log_call(session=session, actor=actor, deal_id=deal["id"], outcome="wrong_number")
        else:
            deals.log_call(session=session, actor=actor, deal_id=deal["id"], outcome="do_not_call", note="просили не звонить")
    elif stage == "proposal_sent":
        if roll < .7:
            deals.log_call(session=session, actor=actor, deal_id=deal["id"], outcome="interested", note="КП получили, выставляем счёт")
            documents.make_document(session=session, actor=actor, deal_id=deal["id"], kind="invoice",  # -> invoice_issued
                                    amount=rng.choice(["15000", "18000", "24000"]))
        else:
            deals.log_call(session=session, actor=actor, deal_id=deal["id"], outcome="no_answer")
    elif stage == "invoice_issued":
        if roll < .65:
            info = deals.show(session=session, actor=actor, deal_id=deal["id"])
            deals.log_call(session=session, actor=actor, deal_id=deal["id"], outcome="interested", note="оплатили")
            deals.pay(session=session, actor=actor, deal_id=deal["id"], amount=info["invoice"])
        else:
            deals.log_call(session=session, actor=actor, deal_id=deal["id"], outcome="call_back",
                           next_call=clock.now() + timedelta(hours=3), note="бухгалтерия на обеде")
    else:
        deals.log_call(session=session, actor=actor, deal_id=deal["id"], outcome="call_back",
                       next_call=clock.now() + timedelta(days=1))


def reset(engine: Engine) -> None:
    """Empty the demo database (SQLite: delete the file). Refuses, with Conflict, a database
    that holds real work: the demo marks its own with a `demo` setting."""
    if db.current_revision(engine) is not None:
        with db.session_scope(engine) as session:
            if users.count(session) and session.get(Setting, "demo") is None:
                raise Conflict(_("{url} holds real data, not a demo; give the demo its own --db").format(
                    url=db.safe_url(engine)))
    import shutil

    shutil.rmtree(db.files_dir(engine, "documents"), ignore_errors=True)  # the old demo's documents
    if db.is_sqlite(engine) and engine.url.database:
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(engine.url.database + suffix).unlink(missing_ok=True)
        db.forget_identity(engine)
        return
    from sqlalchemy import MetaData

    meta = MetaData()
    meta.reflect(engine)
    meta.drop_all(engine)


def newest_campaign(engine: Engine) -> str:
    """The name of the demo's newest campaign (what `yoolla demo --keep` shows)."""
    from sqlalchemy import select

    with db.session_scope(engine) as session:
        name = session.scalars(select(Campaign.name).order_by(Campaign.week_start.desc(), Campaign.id.desc())).first()
    if name is None:
        raise Conflict(_("{url} has no campaign; run `yoolla demo` without --keep").format(url=db.safe_url(engine)))
    return name
