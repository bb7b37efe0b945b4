"""Process templates: named chains of task templates in data/templates/*.json that lay out an
order's tasks in one step (type, estimate, role or login, dependencies).

A task template names `login` (that user) or `role` (the least-loaded active user of that role,
its open work counted after the tasks this template has just given out, ties by login).
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session

from yoolla_tui.core.people import users
from yoolla_tui.core.kernel.errors import BadInput, NotFound
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import Order, Task, User
from yoolla_tui.core.kernel.paths import DATA_DIR
from yoolla_tui.core.work.tasks import add_task, executors_by_role, load, parse_duration

TEMPLATES_DIR = DATA_DIR / "templates"


def _load_all(folder: Path | None = None) -> list[dict]:
    folder = folder or TEMPLATES_DIR
    out = []
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise BadInput(_("template {file} is not valid JSON: {error}").format(file=path.name, error=error))
        data.setdefault("code", path.stem)
        _check(data, path.name)
        out.append(data)
    return out


def _check(data: dict, where: str) -> None:
    keys = set()
    for step in data.get("tasks", []):
        for field in ("key", "title", "type", "estimate"):
            if not step.get(field):
                raise BadInput(_("template {file}: a task lacks {field!r}").format(file=where, field=field))
        if not step.get("role") and not step.get("login"):
            raise BadInput(_("template {file}: task {key!r} needs a role or a login").format(file=where, key=step["key"]))
        for before in step.get("after", []):
            if before not in keys:
                raise BadInput(_("template {file}: task {key!r} comes after {other!r}, which is not listed before it").format(
                    file=where, key=step["key"], other=before))
        keys.add(step["key"])


def list_templates() -> list[dict]:
    return [{"code": t["code"], "name": t["name"], "description": t.get("description", ""), "tasks": len(t["tasks"]),
             "estimate_minutes": sum(parse_duration(s["estimate"]) for s in t["tasks"])} for t in _load_all()]


def get(name: str) -> dict:
    """A template by code or name (case-insensitive)."""
    wanted = (name or "").strip().lower()
    templates = _load_all()
    for template in templates:
        if wanted in (template["code"].lower(), template["name"].lower()):
            return template
    raise NotFound(_("no process template {name!r} (templates: {known})").format(
        name=name, known=", ".join(f"{t['code']} ({t['name']})" for t in templates)))


def show(name: str) -> dict:
    template = get(name)
    steps = [{"key": s["key"], "title": s["title"], "type": s["type"], "subtype": s.get("subtype"),
              "estimate_minutes": parse_duration(s["estimate"]), "role": s.get("role"), "login": s.get("login"),
              "after": s.get("after", [])} for s in template["tasks"]]
    return {"code": template["code"], "name": template["name"], "description": template.get("description", ""),
            "tasks": steps}


def apply(session: Session, actor: User, order: Order, template: dict) -> list[Task]:
    """Create the template's tasks on `order`, chained and assigned (called by orders.add_order)."""
    created: dict[str, Task] = {}
    out = []
    for step in template["tasks"]:
        minutes = parse_duration(step["estimate"])
        if step.get("login"):
            assignee = users.get_by_login(session, step["login"])
        else:
            candidates = executors_by_role(session, step["role"])
            if not candidates:
                raise BadInput(_("template {name!r}: nobody has the role {role!r} to do {title!r}").format(
                    name=template["name"], role=step["role"], title=step["title"]))
            assignee = min(candidates, key=lambda u: (load(session, u.id), u.login))
        task = add_task(session=session, actor=actor, order_id=order.id, title=step["title"], type=step["type"],
                        subtype=step.get("subtype", ""), assignee=assignee.login, estimate=minutes,
                        priority=int(step.get("priority", 0)), after=[created[k].id for k in step.get("after", [])])
        created[step["key"]] = task
        out.append(task)
    return out
