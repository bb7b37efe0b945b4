"""Deal: the call card. The client and their whole history across campaigns, the stage bar, and
one key per call outcome; after logging, the next due deal opens in place.

Keys: 1 no answer · 2 call back (then 1 +1 h, 2 +2 h, 3 tomorrow 10:00, 4 a typed time) ·
3 interested · 4 refused (then the reason's number) · 5 do not call (confirmed with y) ·
6 wrong number · n note for the next outcome · a advance (each stage says what entering it
will trigger) · i invoice · p payment · d document (proposal, invoice, contract, specification;
made and mailed to the client) · z undo · t the stage triggers (admins).
"""

from __future__ import annotations

import time

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker

from yoolla_tui.core import documents
from yoolla_tui.core.kernel import audit, clock, db, reference
from yoolla_tui.core.calls import deals, today
from yoolla_tui.core.calls.deals import outcome_label
from yoolla_tui.core.kernel.errors import GateNotMet, StaleEdit, YoollaError
from yoolla_tui.core.kernel.i18n import _

from yoolla_tui.core.kernel.phones import pretty
from yoolla_tui.screens.base import LIGHT_RICH, amount, error_text, translated, when, worker_failed
from yoolla_tui.screens.modals import ChoiceModal, ConfirmModal, TextModal

OUTCOME_KEYS = {"1": "no_answer", "2": "call_back", "3": "interested", "4": "refused", "5": "do_not_call",
                "6": "wrong_number"}
# After these the deal is done for now and the next due deal opens; `interested` stays, so the
# operator can move it on (advance, invoice) before `space` opens the next one.
STAYS = {"interested"}
HISTORY_SHOWN = 20  # newest calls drawn; more than a 120x36 card shows, and each row costs every card its
# render twice (height, then lines): 60 rows took the outcome key from 56 to 77 ms median on the bench


def quick_times(next_workday: str) -> list[tuple[str, str]]:
    """The call-back choices; the third is the next working day at 10:00 ("tomorrow" when it is)."""
    from datetime import date

    from babel.dates import format_date

    from yoolla_tui.core.kernel.i18n import current_language

    day = date.fromisoformat(next_workday)
    if (day - clock.today()).days == 1:
        label = _("tomorrow 10:00")
    else:
        label = format_date(day, "EEE dd.MM", locale=current_language()) + " 10:00"
    return [("+1h", _("in 1 hour")), ("+2h", _("in 2 hours")), (f"{next_workday} 10:00", label),
            ("", _("another time…"))]


def check_next_call(text: str) -> str | None:
    """None when `text` is a time in the future the call-back box accepts, else why not."""
    try:
        clock.parse_when(text, future=True)
    except YoollaError as error:
        return error.message
    return None


class DealScreen(Screen):
    """One deal, ready to call: every outcome one key away."""

    def __init__(self, deal_id: int) -> None:
        super().__init__()
        self.deal_id = deal_id
        self.current: dict | None = None
        self.note = ""  # `n`: goes with the next outcome
        self.busy = False
        # When the card now on screen was painted (None while a deal loads): deal-changing keys
        # wait `app.key_guard` after it, and the ones dropped are counted on the message line.
        self._drawn_at: float | None = None
        self._ignored = 0
        self._said: tuple[str, bool] = ("", False)
        # The outcome keys are listed (and dimmed when they do not apply) in the legend line
        # right above the footer, which keeps the footer's other keys inside 80 columns.
        self._bindings = translated(self._bindings, [
            Binding("1", "outcome('no_answer')", _("No answer"), tooltip=_("No answer: log it and open the next deal"),
                    show=False, id="no_answer"),
            Binding("2", "outcome('call_back')", _("Call back"), tooltip=_("Call back at a time you pick"),
                    show=False, id="call_back"),
            Binding("3", "outcome('interested')", _("Interested"), tooltip=_("Interested: a new deal moves on to agreed"),
                    show=False, id="interested"),
            Binding("4", "outcome('refused')", _("Refused"), tooltip=_("Refused: pick the reason; the deal is lost"),
                    show=False, id="refused"),
            Binding("5", "outcome('do_not_call')", _("Do not call"),
                    tooltip=_("Do not call: the client leaves every list (asks to confirm)"), show=False,
                    id="do_not_call"),
            Binding("6", "outcome('wrong_number')", _("Wrong number"),
                    tooltip=_("Wrong number: out of the queue until the phone is corrected"), show=False,
                    id="wrong_number"),
            Binding("g", "app.find", _("Find"), tooltip=_("Find a client or deal by id, name or phone"), id="find",
                    show=False),
            Binding("n", "note", _("Note"), tooltip=_("Write a note that goes with the next outcome"), id="note"),
            Binding("a", "advance", _("Advance"), tooltip=_("Move the deal to another stage"), id="advance"),
            Binding("i", "invoice", _("Invoice"), tooltip=_("Issue or correct the invoice"), id="invoice"),
            Binding("p", "pay", _("Payment"), tooltip=_("Record a payment"), id="pay"),
            # Listed by `?`, not in the footer: at 80 columns the footer must keep z, esc and ?.
            Binding("d", "document", _("Document"),
                    tooltip=_("Make a proposal, invoice, contract or specification, and mail it to the client"),
                    id="document", show=False),
            Binding("t", "triggers", _("Triggers"), tooltip=_("The stages' triggers: switch each on or off (admins)"),
                    id="triggers"),
            Binding("z", "undo", _("Undo"), tooltip=_("Undo the last outcome you logged, then the one before"), id="undo"),
            Binding("z", "nothing_to_undo", show=False),  # z with nothing left says so
            Binding("space", "next", _("Next"), tooltip=_("Open the next due deal"), id="next"),
            Binding("r", "reload", _("Refresh"), tooltip=_("Reload the deal"), id="reload", show=False),
            Binding("escape,q", "back", _("Back"), tooltip=_("Back to Today"), id="back"),
        ])

    def compose(self) -> ComposeResult:
        yield Static(id="stagebar")
        # A compact card on top (client | deal), the history full width below it: at 80x24 the
        # last calls' outcomes and notes are readable, each note wrapping under its call.
        with Horizontal(id="card"):
            yield Static(id="client")
            yield Static(id="deal")
        yield Static(_("History, all campaigns"), id="history-title")
        with VerticalScroll(id="history-scroll"):
            # One rich grid, not a DataTable: a client with 100+ calls redraws in a few ms.
            yield Static(id="history")
        yield Static(id="note-line")
        yield Static(id="message")
        yield Static(self._legend(), id="outcomes")
        yield Footer(show_command_palette=False, compact=True)

    def _legend(self, enabled: bool = True) -> Text:
        text = Text(style="" if enabled else "dim")
        for key, outcome in OUTCOME_KEYS.items():
            text.append(key, style="bold reverse" if enabled else "")
            text.append(f" {outcome_label(outcome)} ")
        return text

    def on_mount(self) -> None:
        self.query_one("#note-line", Static).display = False
        self.reload()
        self.set_interval(self.app.refresh_seconds, self._tick)

    def on_screen_resume(self) -> None:
        self.reload()

    def _tick(self) -> None:
        if not self.busy and self.app.screen is self:
            self.reload()

    # ---- loading -------------------------------------------------------------------------

    def show_deal(self, deal_id: int, message: str = "", view: dict | None = None) -> None:
        """Open another deal in this screen (after an outcome, undo, or from the palette);
        `view` is its card when the caller already read it."""
        if deal_id != self.deal_id:
            self.current = None  # no key may act on the old card under the new deal's id
        self.deal_id = deal_id
        self.note = ""
        self._message(message)
        if view is not None:
            self._show(view)
        else:
            self.reload()

    def reload(self) -> None:
        self.load(self.deal_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="deal")
    def load(self, deal_id: int) -> None:
        view = self.app.read(today.deal_view, deal_id=deal_id)
        self.app.call_from_thread(self._show, view)

    def _show(self, view: dict) -> None:
        if view["deal"]["id"] != self.deal_id:
            return  # a late answer for the deal we left
        before = self.current
        if before is None or (before["deal"]["id"], before["deal"]["version"]) != (view["deal"]["id"], view["deal"]["version"]):
            # A new card (or this one changed under us): keys count from when it is painted.
            self._drawn_at = None
            self.call_after_refresh(self._painted)
        self.current = view
        self.app.last_deal_id = view["deal"]["id"]  # Today puts its cursor here when we go back
        deal, client = view["deal"], view["client"]
        self.query_one("#stagebar", Static).update(self._stage_bar(view["stages"]))
        self.query_one("#client", Static).update(self._client_text(client))
        self.query_one("#deal", Static).update(self._deal_text(deal, view["light"]))
        self.query_one("#history", Static).update(self._history_text(client.get("history", []), deal["id"], deal["campaign"]))
        self.query_one("#history-title", Static).update(
            _("History, all campaigns ({n})").format(n=len(client.get("history", [])))
            if client.get("history") else _("History, all campaigns: no calls yet"))
        self._note_line()
        self.query_one("#outcomes", Static).update(self._legend(self.check_action("outcome", ()) is True))
        self._sync_bindings()

    def _painted(self) -> None:
        self._drawn_at = time.monotonic()

    def _taken(self) -> bool:
        """Whether a deal-changing key may act now: the deal is on screen, nothing is being saved,
        and it was painted at least `app.key_guard` seconds ago. A key that may not is dropped
        and counted on the message line, so the operator knows it did nothing."""
        drawn = self._drawn_at
        if (self.current is not None and not self.busy and drawn is not None
                and time.monotonic() - drawn >= self.app.key_guard):
            self._ignored = 0
            return True
        self._ignored += 1
        self._message(*self._said)
        return False

    @staticmethod
    def _history_text(history: list[dict], deal_id: int, campaign: str):
        """The client's calls, newest first: when, who, outcome, then the note, which wraps in
        its own column; this deal's calls in bold, another campaign's named in the note column."""
        from rich import box
        from rich.table import Table

        labels = {code: outcome_label(code) for code in {h["outcome"] for h in history}}  # not 8 lookups a row
        day, tz = clock.today(), clock.local_tz()
        grid = Table(box=None, show_header=True, header_style="dim", pad_edge=False, expand=True, padding=(0, 1, 0, 0))
        grid.add_column(_("When"), no_wrap=True)
        grid.add_column(_("Who"), no_wrap=True, overflow="ellipsis", max_width=12)
        grid.add_column(_("Outcome"), no_wrap=True)
        grid.add_column(_("Note"), ratio=1, overflow="fold")
        for h in history[:HISTORY_SHOWN]:
            note = Text(h["note"] or "")
            if h["campaign"] != campaign:
                note = Text.assemble((h["campaign"], "dim italic"), " " if h["note"] else "", note)
            grid.add_row(when(h["at"], day, tz), h["user"] or "", labels[h["outcome"]], note,
                         style="bold" if h["deal_id"] == deal_id else "")
        if len(history) > HISTORY_SHOWN:
            grid.add_row("", "", "", Text(_("… {n} older calls: yoolla client show").format(n=len(history) - HISTORY_SHOWN),
                                          style="dim"))
        return grid

    def _stage_bar(self, stages: list[dict]) -> Text:
        """The pipeline with the current stage marked, in the screen's width: the other stages'
        names are shortened (with an ellipsis) until it fits, the current one never."""
        shown = [s for s in stages if s["kind"] != "lost" or s["current"]]
        room = max(20, self.app.size.width - 2)
        longest = max((len(s["name"]) for s in shown), default=0)
        for cap in range(longest, 2, -1):
            names = [s["name"] if s["current"] or len(s["name"]) <= cap else s["name"][:cap - 1] + "…" for s in shown]
            if sum(len(n) for n in names) + 3 * (len(names) - 1) + 2 <= room:
                break
        text = Text(no_wrap=True, overflow="ellipsis")
        for n, (stage, name) in enumerate(zip(shown, names)):
            if n:
                text.append(" › ", style="dim")
            if stage["current"]:
                text.append(f" {name} ", style="bold reverse")
            else:
                text.append(name, style="dim")
        return text

    def _client_text(self, client: dict) -> Text:
        text = Text(client.get("name", ""), style="bold")
        rows = [(_("Phone"), pretty(client.get("phone"), client.get("phone_ext"))),
                (_("Contact"), client.get("contact_person")),
                (_("E-mail"), client.get("email")), (_("City"), client.get("city")), (_("Note"), client.get("note"))]
        for label, value in rows:
            if value:
                text.append(f"\n{label}: ", style="dim")
                text.append(str(value))
        if client.get("do_not_call"):
            text.append("\n" + _("Do not call: {reason}").format(reason=client.get("dnc_reason") or ""), style="bold red")
        deals_count = len(client.get("deals", []))
        if deals_count > 1:
            text.append("\n" + _("On {n} campaigns").format(n=deals_count), style="dim")
        return text

    def _deal_text(self, deal: dict, light: str | None) -> Text:
        text = Text()
        text.append(_("Deal {id}").format(id=deal["id"]), style="bold")
        text.append(f" · {deal['campaign']}", style="dim")
        status = _("closed") if deal["closed"] else outcome_label(deal["status"])
        text.append("\n" + _("Status") + ": ", style="dim")
        text.append(status)
        text.append("\n" + _("Next call") + ": ", style="dim")
        if deal["next_call_at"] and light:
            text.append("● ", style=LIGHT_RICH.get(light, ""))
        text.append(when(deal["next_call_at"]) if deal["next_call_at"] else _("none"))
        text.append("\n" + _("Attempts") + ": ", style="dim")
        text.append(_("{week} this week, {total} in all").format(week=deal["attempts_week"], total=deal["attempts_total"]))
        text.append("\n" + _("Invoice") + ": ", style="dim")
        text.append(amount(deal["invoice"]))
        text.append(" · " + _("Paid") + ": ", style="dim")
        text.append(amount(deal["paid"]))
        text.append("\n" + _("Manager") + ": ", style="dim")
        text.append(deal["manager"] or "—")
        for document in deal.get("documents") or []:
            text.append("\n" + _("Document") + ": ", style="dim")
            text.append(document["title"])
            sent = (_("mailed to {to} {when}").format(to=document["sent_to"], when=when(document["sent_at"]))
                    if document["sent_at"] else _("not mailed"))
            text.append(" · " + sent, style="dim")
        for order in deal.get("orders") or []:
            text.append("\n" + _("Order") + ": ", style="dim")
            text.append(order["title"])
            ready = when(order["ready_at"]) if order["ready_at"] else "—"
            text.append(" · " + _("{open} of {total} tasks open, ready {ready}").format(
                open=order["open_tasks"], total=order["tasks"], ready=ready), style="dim")
        return text

    def _note_line(self) -> None:
        line = self.query_one("#note-line", Static)
        line.display = bool(self.note)
        line.update(Text.assemble((_("Note for the next outcome: "), "dim"), self.note))

    def _message(self, message: str, error: bool = False) -> None:
        self._said = (message, error)
        box = self.query_one("#message", Static)
        box.set_class(error, "error")
        text = Text(message)
        if self._ignored:
            notice = (_("1 key ignored: typed before the deal showed") if self._ignored == 1 else
                      _("{n} keys ignored: typed before the deal showed").format(n=self._ignored))
            text.append((" · " if message else "") + notice, style="bold yellow")
        box.update(text)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        error = worker_failed(event)
        if error is not None:
            self.busy = False
            self._message(error_text(error), error=True)
            self._sync_bindings()

    # ---- what applies now ----------------------------------------------------------------

    def _sync_bindings(self) -> None:
        """Refresh the footer only when what applies changed: redrawing it on every deal would
        cost more than the rest of an outcome key."""
        state = tuple(self.check_action(action, ()) for action in ("outcome", "undo"))
        if state != getattr(self, "_binding_state", None):
            self._binding_state = state
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "document":
            return True if self.current is not None and not self.current["client"].get("do_not_call") else None
        if action in ("outcome", "note", "advance", "invoice", "pay"):
            if self.current is None:
                return True  # loading: the key runs, and `_taken` drops and counts it
            deal, client = self.current["deal"], self.current["client"]
            if deal["closed"] or client.get("do_not_call"):
                return None
            return True
        if action == "undo":
            return True if self.app.undo_stack else False  # z shows only when it can act
        if action == "triggers":  # admins only: hidden for everyone else, not merely dimmed
            if self.app.actor.role != "admin":
                return False
            return True if self.current is not None else None
        return True

    # ---- outcomes ------------------------------------------------------------------------

    def action_outcome(self, outcome: str) -> None:
        if not self._taken():
            return
        version = self.current["deal"]["version"]
        deal_id = self.deal_id
        if outcome == "call_back":
            def picked(value: str | None) -> None:
                if value is None:
                    return
                if value:
                    self.log_outcome(deal_id, version, outcome, when=value)
                else:
                    self.app.push_screen(
                        TextModal(_("Call back when? ({examples})").format(examples=clock.when_examples()),
                                  check=check_next_call),
                        lambda typed: typed and self.log_outcome(deal_id, version, outcome, when=typed))
            self.app.push_screen(ChoiceModal(_("Call back when?"), quick_times(self.current["next_workday"])), picked)
        elif outcome == "refused":
            reasons = self.current["reasons"]

            def reason_picked(code: str | None) -> None:
                if code is None:
                    return
                reason = next(r for r in reasons if r["code"] == code)
                if reason["needs_note"] and not self.note:
                    self.app.push_screen(TextModal(_("Why? A note is needed for “{reason}”").format(reason=reason["name"])),
                                         lambda note: note and self.log_outcome(deal_id, version, outcome, reason=code, note=note))
                else:
                    self.log_outcome(deal_id, version, outcome, reason=code)
            self.app.push_screen(ChoiceModal(_("Refused: why?"), [(r["code"], r["name"]) for r in reasons]), reason_picked)
        elif outcome == "do_not_call":
            name = self.current["client"].get("name", "")
            self.app.push_screen(
                ConfirmModal(_("Put {name} on the do-not-call list? The client leaves every open list; only an admin can undo it.").format(name=name)),
                lambda yes: yes and self.log_outcome(deal_id, version, outcome))
        else:
            self.log_outcome(deal_id, version, outcome)

    def log_outcome(self, deal_id: int, version: int, outcome: str, *, when: str | None = None, reason: str | None = None,
            note: str | None = None) -> None:
        self.busy = True
        self._sync_bindings()
        self._log(deal_id, version, outcome, when, reason, self.note if note is None else note)

    @work(thread=True, exclusive=True, exit_on_error=False, group="write")
    def _log(self, deal_id: int, version: int, outcome: str, when: str | None, reason: str | None, note: str) -> None:
        try:
            with db.session_scope(self.app.engine) as session:
                actor = self.app.actor
                next_call = clock.parse_when(when, future=True) if when else None
                call = deals.log_call(session=session, actor=actor, deal_id=deal_id, outcome=outcome, note=note,
                                      next_call=next_call, reason=reason, expected_version=version)
                call_id, next_at = call.id, call.next_call_at
            # The next card is read in this same worker: one trip, not two, between the key and the card.
            if outcome in STAYS:
                view = self.app.read(today.deal_view, deal_id=deal_id)
            else:
                view = self.app.read(today.next_view, after=deal_id)  # a read: no write lock, no commit
        except StaleEdit:
            self.app.call_from_thread(self._stale, deal_id)
            return
        self.app.call_from_thread(self._logged, deal_id, call_id, outcome, next_at, view)

    def _logged(self, deal_id: int, call_id: int, outcome: str, next_at, view: dict | None) -> None:
        self.busy = False
        self.note = ""
        done = _("Deal {id}: {outcome} logged").format(id=deal_id, outcome=outcome_label(outcome))
        if next_at is not None:
            done += " · " + _("next call {when}").format(when=when(clock.iso(next_at)))
        elif outcome == "interested":
            done += " · " + _("no next call: it leaves Today unless you set one (2)")
        elif outcome == "no_answer":
            # The week's attempts are used up: say so, or the deal seems to vanish from Today.
            done += " · " + _("attempts used up: out of the queue until next week")
        if outcome != "do_not_call":  # only an admin lifts do-not-call: no undo is promised
            self.app.undo_stack.append((call_id, deal_id))
            done += " · " + _("z undoes it")
        if view is not None:
            self.show_deal(view["deal"]["id"], done, view=view)
        else:
            self.app.pop_screen()
            self.app.notify(done + "\n" + _("Queue done: nothing more is due today."), timeout=6)

    def _stale(self, deal_id: int) -> None:
        self.busy = False
        self._explain_stale(deal_id)

    @work(thread=True, exit_on_error=False, group="stale")
    def _explain_stale(self, deal_id: int) -> None:
        with db.read_scope(self.app.engine) as session:  # a read: never the write lock
            change = audit.last_change(session, "deal", deal_id) or {}
        who = change.get("full_name") or change.get("login") or "?"
        text = _("Not saved: deal {id} was changed by {who} at {at} while you had it open. Reloaded: look again, then log.").format(
            id=deal_id, who=who, at=change.get("at") or "?")
        self.app.call_from_thread(self._message, text, True)
        self.app.call_from_thread(self.reload)

    # ---- other writes --------------------------------------------------------------------

    def action_note(self) -> None:
        if self.busy:
            return
        self.app.push_screen(TextModal(_("Note for the next outcome"), value=self.note, required=False), self._noted)

    def _noted(self, text: str | None) -> None:
        if text is not None:
            self.note = text
            self._note_line()

    def action_advance(self) -> None:
        if not self._taken():
            return
        version = self.current["deal"]["version"]
        # Numbers are pipeline positions, the same on every deal; the lost stage is the `4` outcome.
        stages = [s for s in self.current["stages"] if s["kind"] != "lost"]
        # What entering each stage will do (its triggers), before the move happens.
        choices = [(s["code"], s["name"] + (" · " + _("now") if s["current"] else "")
                    + (" → " + "; ".join(s["triggers"]) if s.get("triggers") and not s["current"] else ""))
                   for s in stages]
        now = next((n for n, s in enumerate(stages) if s["current"]), 0)
        self.app.push_screen(ChoiceModal(_("Move deal {id} to").format(id=self.deal_id), choices,
                                         highlight=min(now + 1, len(choices) - 1)),
                             lambda code: code and self.write("advance", version, to=code))

    def action_triggers(self) -> None:
        from yoolla_tui.screens.triggers import TriggersModal

        if self.current is not None and self.app.actor.role == "admin":
            self.app.push_screen(TriggersModal(self.current["pipeline"]), lambda _result: self.reload())

    def action_invoice(self) -> None:
        if not self._taken():
            return
        version = self.current["deal"]["version"]
        self.app.push_screen(TextModal(_("Invoice amount (e.g. 15000 or 15 000,50)"), value=self.current["deal"]["invoice"] or ""),
                             lambda amount: amount and self.write("invoice", version, amount=amount))

    def action_pay(self) -> None:
        if not self._taken():
            return
        version = self.current["deal"]["version"]
        self.app.push_screen(TextModal(_("Payment received (amount)")),
                             lambda amount: amount and self.write("pay", version, amount=amount))

    def action_document(self) -> None:
        """`d`: pick a kind (and whether to mail it); an invoice without an amount asks for one."""
        if self.current is None or self.busy:
            return
        deal, client = self.current["deal"], self.current["client"]
        email = client.get("email")
        choices = []
        for kind in reference.DOCUMENT_KINDS:
            name = reference.document_kind_name(kind)
            if email:
                choices.append((f"{kind}:send", _("{name}: make and mail to {email}").format(name=name, email=email)))
        choices += [(f"{kind}:make", _("{name}: make only").format(name=reference.document_kind_name(kind)))
                    for kind in reference.DOCUMENT_KINDS]

        def picked(choice: str | None) -> None:
            if not choice:
                return
            kind, how = choice.split(":")
            if kind == "invoice" and not deal["invoice"]:
                self.app.push_screen(TextModal(_("Invoice amount (e.g. 15000 or 15 000,50)")),
                                     lambda amount: amount and self.make_document(kind, how == "send", amount))
            else:
                self.make_document(kind, how == "send")
        title = _("Document for deal {id}").format(id=self.deal_id)
        if not email:
            title += " · " + _("the client has no email: documents are made, not mailed")
        self.app.push_screen(ChoiceModal(title, choices), picked)

    def make_document(self, kind: str, send: bool, amount: str | None = None) -> None:
        self.busy = True
        self._sync_bindings()
        self._make_document(self.deal_id, kind, send, amount)

    @work(thread=True, exclusive=True, exit_on_error=False, group="write")
    def _make_document(self, deal_id: int, kind: str, send: bool, amount: str | None) -> None:
        made = self.app.core(documents.make_document, deal_id=deal_id, kind=kind, send=send, amount=amount)
        text = _("{title} made").format(title=made["title"])
        if made["sent_to"]:
            text += " · " + _("mailed to {to}").format(to=made["sent_to"])
        if made["moved_to"]:
            text += " · " + _("deal moved to {stage}").format(stage=made["moved_to"])
        self.app.call_from_thread(self._written, text)

    def write(self, what: str, version: int, **kwargs) -> None:
        self.busy = True
        self._sync_bindings()
        self._write(self.deal_id, what, version, kwargs)

    @work(thread=True, exclusive=True, exit_on_error=False, group="write")
    def _write(self, deal_id: int, what: str, version: int, kwargs: dict) -> None:
        fn = {"advance": deals.advance, "invoice": deals.invoice, "pay": deals.pay}[what]
        try:
            self.app.core(fn, deal_id=deal_id, expected_version=version, **kwargs)
        except StaleEdit:
            self.app.call_from_thread(self._stale, deal_id)
            return
        except GateNotMet as refused:
            self.app.call_from_thread(self._gate_refused, kwargs.get("to"), refused)
            return
        labels = {"advance": _("Deal {id} moved"), "invoice": _("Deal {id}: invoice saved"),
                  "pay": _("Deal {id}: payment recorded")}
        self.app.call_from_thread(self._written, labels[what].format(id=deal_id))

    def _gate_refused(self, code: str | None, refused: GateNotMet) -> None:
        """A stage gate in the operator's words: the stage's name and the key that opens it
        (core's message, written for the shell, names a command and a code)."""
        self.busy = False
        self._sync_bindings()
        deal = (self.current or {}).get("deal", {})
        stage = next((s for s in (self.current or {}).get("stages", []) if s["code"] == code), None)
        keys = {"invoice": (_("an invoice (press i)"), not deal.get("invoice")),
                "payment": (_("a payment (press p)"), not deal.get("paid"))}
        needs = [keys[f][0] for f in (stage or {}).get("required", []) if f in keys and keys[f][1]]
        if stage is not None and needs:
            self._message(_("Not moved: «{stage}» needs {needs}").format(stage=stage["name"], needs=", ".join(needs)),
                          error=True)
        else:
            self._message(refused.message, error=True)

    def _written(self, message: str) -> None:
        self.busy = False
        self._message(message)
        self.reload()

    def action_undo(self) -> None:
        self._ignored = 0  # a deliberate key: the notice of keys dropped before is said and done
        if not self.app.undo_stack:
            self.action_nothing_to_undo()
            return
        if self.busy:
            return
        self.busy = True
        # Taken off the stack now: undone, or refused (someone changed the deal since, or it is
        # too old), it is not offered again; the next z offers the outcome before it.
        self._undo(*self.app.undo_stack.pop())
        self._sync_bindings()

    def action_nothing_to_undo(self) -> None:
        self._ignored = 0
        self._message(_("Nothing to undo: every outcome you logged since the dashboard opened is undone."))

    @work(thread=True, exclusive=True, exit_on_error=False, group="write")
    def _undo(self, call_id: int, deal_id: int) -> None:
        self.app.core(deals.undo_call, call_id=call_id, since=self.app.opened_at)
        self.app.call_from_thread(self._undone, deal_id)

    def _undone(self, deal_id: int) -> None:
        self.busy = False
        self._sync_bindings()
        self.show_deal(deal_id, _("Undone: deal {id} is back as it was before the call.").format(id=deal_id))

    # ---- moving around -------------------------------------------------------------------

    def action_next(self) -> None:
        self._next(self.deal_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="open")
    def _next(self, after: int) -> None:
        following = self.app.core(today.next_due, after=after)
        if following is None:
            self.app.call_from_thread(self._message, _("Nothing more is due today."))
        else:
            self.app.call_from_thread(self.show_deal, following)

    def action_reload(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()
