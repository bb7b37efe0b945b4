"""Reference data: pipelines with their stages, and lost reasons. Defaults come from data/."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlmodel import Session

from yoolla_tui.core.kernel.errors import NotFound
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import LostReason, Pipeline, Stage, StageKind
from yoolla_tui.core.kernel.paths import DATA_DIR

DEFAULT_PIPELINE = "seminar"
DOCUMENT_KINDS = ("proposal", "invoice", "contract", "spec")


# The documents go to Russian clients: their titles are Russian whatever the operator's language.
DOCUMENT_TITLES = {"proposal": "Коммерческое предложение", "invoice": "Счёт на оплату", "contract": "Договор",
                   "spec": "Спецификация"}


def document_title(kind: str, number: int, made_at) -> str:
    """«Счёт на оплату № 7 от 24.11.2026»: how a document names itself (the mail's subject too)."""
    from yoolla_tui.core.kernel import clock

    return f"{DOCUMENT_TITLES[kind]} № {number} от {clock.to_local(made_at).strftime('%d.%m.%Y')}"


def public_document(document, made_by: str | None) -> dict:
    """A document row as the CLI's JSON and the deal card show it (stable keys)."""
    from yoolla_tui.core.kernel import clock, money

    return {"id": document.id, "deal_id": document.deal_id, "kind": document.kind,
            "name": document_kind_name(document.kind), "number": document.number, "year": document.year,
            "title": document_title(document.kind, document.number, document.made_at),
            "amount": money.show(document.amount_cents), "made_by": made_by, "made_at": clock.iso(document.made_at),
            "sent_to": document.sent_to, "sent_at": clock.iso(document.sent_at), "path": document.path}


def document_kind_name(kind: str) -> str:
    """A document kind's name in the user's language (КП, счёт на оплату, договор, спецификация)."""
    names = {"proposal": _("commercial proposal"), "invoice": _("invoice for payment"), "contract": _("contract"),
             "spec": _("specification")}
    return names.get(kind, kind)


def load_defaults(session: Session) -> None:
    """Load data/pipelines/*.json and data/lost_reasons.json; existing codes are left alone."""
    for path in sorted((DATA_DIR / "pipelines").glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        if session.scalars(select(Pipeline).where(Pipeline.code == spec["code"])).first():
            continue
        pipeline = Pipeline(code=spec["code"], name=spec["name"])
        session.add(pipeline)
        session.flush()
        for position, stage in enumerate(spec["stages"], start=1):
            session.add(Stage(pipeline_id=pipeline.id, position=position, code=stage["code"], name=stage["name"],
                              kind=stage.get("kind", StageKind.open), followup_days=stage.get("followup_days"),
                              time_budget_days=stage.get("time_budget_days"),
                              required_fields=stage.get("required_fields", []), close_tasks=stage.get("close_tasks", False),
                              requires_document=stage.get("requires_document"),
                              requires_sent=stage.get("requires_sent", False)))
    existing = set(session.scalars(select(LostReason.code)))
    for spec in json.loads((DATA_DIR / "lost_reasons.json").read_text(encoding="utf-8")):
        if spec["code"] not in existing:
            session.add(LostReason(code=spec["code"], name=spec["name"], final=spec.get("final", False),
                                   needs_note=spec.get("needs_note", False)))
    session.flush()


def get_pipeline(session: Session, code: str) -> Pipeline:
    pipeline = session.scalars(select(Pipeline).where(Pipeline.code == code)).first()
    if pipeline is None:
        known = ", ".join(session.scalars(select(Pipeline.code))) or "none"
        raise NotFound(_("unknown pipeline {code!r} (known: {known})").format(code=code, known=known))
    return pipeline


def stages(session: Session, pipeline_id: int) -> list[Stage]:
    return list(session.scalars(select(Stage).where(Stage.pipeline_id == pipeline_id).order_by(Stage.position)))


def get_stage(session: Session, pipeline_id: int, code: str) -> Stage:
    for stage in stages(session, pipeline_id):
        if stage.code == code:
            return stage
    known = ", ".join(stage.code for stage in stages(session, pipeline_id))
    raise NotFound(_("unknown stage {code!r} (stages: {known})").format(code=code, known=known))


def first_stage(session: Session, pipeline_id: int) -> Stage:
    return next(stage for stage in stages(session, pipeline_id) if stage.kind == StageKind.open)


def lost_stage(session: Session, pipeline_id: int) -> Stage:
    return next(stage for stage in stages(session, pipeline_id) if stage.kind == StageKind.lost)


def get_lost_reason(session: Session, code: str) -> LostReason:
    reason = session.scalars(select(LostReason).where(LostReason.code == code, LostReason.active)).first()
    if reason is None:
        known = ", ".join(session.scalars(select(LostReason.code).where(LostReason.active).order_by(LostReason.id)))
        raise NotFound(_("unknown lost reason {code!r} (reasons: {known})").format(code=code, known=known))
    return reason


def list_lost_reasons(session: Session) -> list[dict]:
    return [{"id": r.id, "code": r.code, "name": _(r.name), "final": r.final, "needs_note": r.needs_note}
            for r in session.scalars(select(LostReason).where(LostReason.active).order_by(LostReason.id))]


def list_stages(session: Session, pipeline_code: str = DEFAULT_PIPELINE) -> list[dict]:
    pipeline = get_pipeline(session, pipeline_code)
    return [{"id": s.id, "code": s.code, "name": _(s.name), "position": s.position, "kind": s.kind,
             "followup_days": s.followup_days, "time_budget_days": s.time_budget_days,
             "required_fields": s.required_fields} for s in stages(session, pipeline.id)]
