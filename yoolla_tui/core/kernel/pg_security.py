"""PostgreSQL enforces the roles (issue 22): group roles, grants, row-level security, and an
audit trail nobody but its owner can change. SQLite has none of this: every function here is a
no-op there (anyone who can write the file can change it; see README).

- One group role per Yoolla role and database, `<database>_admin`, `_supervisor`, `_manager`,
  `_executor` (roles are cluster-wide; a cluster may hold several Yoolla databases). Each
  person's login role is a member of the group of their Yoolla role (people.users manages them).
- Grants: everyone reads the reference tables and "user"; only admins write users (anyone may
  lock their own row, which needs an UPDATE grant: `full_name`, their own row only); admins and
  supervisors write the settings and the funnel's configuration; the audit trail takes INSERT
  and the chain's one UPDATE of `seq` / `hash`, never DELETE or TRUNCATE.
- Row-level security mirrors core.kernel.permissions: a deal is visible and writable to its
  manager (a pool deal, manager NULL, to every manager: `yoolla next` hands them out), to their
  supervisor, to an executor with a task on it, to admins; calls follow their deal; clients are
  read by every seller (the core lets managers read the client base) but changed by a manager only
  when they have a deal with the client or spoke to it; orders and tasks are read by all (the
  executors' forecast is one global queue; the core hides other managers' titles) and written
  within the deal rule, a task also by its assignee; audit records are read by admins, a
  supervisor for their team, anyone for their own and for the deals they see.
- `yoolla_current_user_id()` maps the connection to its Yoolla user: the active user whose
  `db_role` is `session_user` (who logged in; SET ROLE changes nothing). SECURITY DEFINER
  helpers read "user", deal and task for the policies without recursing through them.
- The table owner (the role that runs migrations: the first admin) bypasses RLS and the audit
  trigger, as an owner can always disable both; the hash chain still shows what it changed.

`apply(conn)` is idempotent: migration 0013 runs it, and a later migration that adds a table
runs it again. `problems(conn)` is what `db check` reports as `database_roles`.
"""

from __future__ import annotations

import re

from sqlalchemy.engine import Connection

ROLES = ("admin", "supervisor", "manager", "executor")

# Written by admins only (everyone reads them).
ADMIN_WRITE = ("user",)
# The funnel's configuration and settings: admins and supervisors write them.
CONFIG = ("pipeline", "stage", "lost_reason", "stage_trigger", "checkpoint_type", "setting")
# Nobody but the owner writes these.
OWNER_ONLY = ("alembic_version",)
AUDIT, HEAD = "audit_record", "audit_head"
RLS_TABLES = ("user", "deal", "call", "client", "order", "task", AUDIT)

_IDENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._@-]{0,62}$")


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def quote(name: str) -> str:
    """A role or table name as a quoted identifier; refuses anything odd (names come from admins)."""
    if not _IDENT.match(name or ""):
        raise ValueError(f"bad role name {name!r}")
    return '"' + name + '"'


def group_role(database: str, role: str) -> str:
    """The group role of Yoolla role `role` in `database`, e.g. `shop_manager`."""
    return f"{database}_{role}"


def database_name(conn: Connection) -> str:
    return conn.exec_driver_sql("SELECT current_database()").scalar()


def groups(conn: Connection) -> dict[str, str]:
    name = database_name(conn)
    return {role: group_role(name, role) for role in ROLES}


def _tables(conn: Connection) -> list[str]:
    return list(conn.exec_driver_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename").scalars())


_FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION yoolla_current_user_id() RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT id FROM "user" WHERE db_role = session_user AND active LIMIT 1
$$;

CREATE OR REPLACE FUNCTION yoolla_current_role() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT role FROM "user" WHERE db_role = session_user AND active LIMIT 1
$$;

CREATE OR REPLACE FUNCTION yoolla_team_ids() RETURNS integer[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT array_agg(id) FROM "user"
  WHERE id = yoolla_current_user_id() OR supervisor_id = yoolla_current_user_id()
$$;

-- The deal rule of core.kernel.permissions (deal_scope, require_deal_access), for one deal's
-- manager; executors: deals they have a task on.
CREATE OR REPLACE FUNCTION yoolla_deal_rule(p_manager integer, p_deal integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT CASE yoolla_current_role()
    WHEN 'admin' THEN true
    WHEN 'supervisor' THEN p_manager IS NULL OR p_manager = ANY (yoolla_team_ids())
    WHEN 'manager' THEN p_manager IS NULL OR p_manager = yoolla_current_user_id()
    WHEN 'executor' THEN EXISTS (SELECT 1 FROM task t JOIN "order" o ON o.id = t.order_id
                                 WHERE o.deal_id = p_deal AND t.assignee_id = yoolla_current_user_id())
    ELSE false END
$$;

CREATE OR REPLACE FUNCTION yoolla_deal_visible(p_deal integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT coalesce((SELECT yoolla_deal_rule(d.manager_id, d.id) FROM deal d WHERE d.id = p_deal), false)
$$;

CREATE OR REPLACE FUNCTION yoolla_order_visible(p_order integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT coalesce((SELECT yoolla_deal_visible(o.deal_id) FROM "order" o WHERE o.id = p_order), false)
$$;

-- A client a manager may change: one of their deals is on it, or they spoke to it (do-not-call).
CREATE OR REPLACE FUNCTION yoolla_client_writable(p_client integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT CASE yoolla_current_role()
    WHEN 'admin' THEN true
    WHEN 'supervisor' THEN true
    WHEN 'manager' THEN
      EXISTS (SELECT 1 FROM deal d WHERE d.client_id = p_client AND d.manager_id = yoolla_current_user_id())
      OR EXISTS (SELECT 1 FROM call c WHERE c.client_id = p_client AND c.user_id = yoolla_current_user_id())
    ELSE false END
$$;

CREATE OR REPLACE FUNCTION yoolla_client_readable(p_client integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT CASE
    WHEN yoolla_current_role() IS NULL THEN false
    WHEN yoolla_current_role() = 'executor' THEN
      EXISTS (SELECT 1 FROM deal d WHERE d.client_id = p_client AND yoolla_deal_rule(d.manager_id, d.id))
    ELSE true END
$$;

-- The audit trail: INSERT, and the chain's one UPDATE (seq and hash set once, nothing else).
-- The table's owner (who runs migrations and may drop the trigger anyway) is let through; the
-- hash chain still shows what it changed.
CREATE OR REPLACE FUNCTION yoolla_audit_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = {schema}, pg_temp AS $$
BEGIN
  IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND OLD.hash IS NULL
     AND NEW.id = OLD.id AND NEW.at = OLD.at
     AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
     AND NEW.real_actor_id IS NOT DISTINCT FROM OLD.real_actor_id
     AND NEW.action = OLD.action AND NEW.entity = OLD.entity
     AND NEW.entity_id IS NOT DISTINCT FROM OLD.entity_id
     AND NEW.data::text = OLD.data::text THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the audit trail is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def _policies(schema: str) -> list[tuple[str, str, str]]:
    """(table, policy name, the CREATE POLICY text)."""
    me = "yoolla_current_user_id()"
    role = "yoolla_current_role()"
    p = []

    def add(table: str, name: str, body: str) -> None:
        p.append((table, name, f'CREATE POLICY {name} ON {schema}."{table}" {body}'))

    add("user", "yoolla_user_read", "FOR SELECT USING (true)")
    add("user", "yoolla_user_update", f"FOR UPDATE USING ({role} = 'admin' OR id = {me}) WITH CHECK ({role} = 'admin' OR id = {me})")
    add("user", "yoolla_user_insert", f"FOR INSERT WITH CHECK ({role} = 'admin')")

    deal_rule = "yoolla_deal_rule(manager_id, id)"
    add("deal", "yoolla_deal_read", f"FOR SELECT USING ({deal_rule})")
    add("deal", "yoolla_deal_update", f"FOR UPDATE USING ({deal_rule}) WITH CHECK ({deal_rule})")
    add("deal", "yoolla_deal_insert", f"FOR INSERT WITH CHECK ({role} IN ('admin', 'supervisor', 'manager') AND {deal_rule})")
    add("deal", "yoolla_deal_delete", f"FOR DELETE USING ({role} IN ('admin', 'supervisor') AND {deal_rule})")

    add("call", "yoolla_call_read", f"FOR SELECT USING (user_id = {me} OR yoolla_deal_visible(deal_id))")
    add("call", "yoolla_call_insert", f"FOR INSERT WITH CHECK ((user_id = {me} OR {role} = 'admin') AND yoolla_deal_visible(deal_id))")
    add("call", "yoolla_call_update", "FOR UPDATE USING (yoolla_deal_visible(deal_id)) WITH CHECK (yoolla_deal_visible(deal_id))")
    add("call", "yoolla_call_delete", "FOR DELETE USING (yoolla_deal_visible(deal_id))")

    add("client", "yoolla_client_read", "FOR SELECT USING (yoolla_client_readable(id))")
    add("client", "yoolla_client_insert", f"FOR INSERT WITH CHECK ({role} IN ('admin', 'supervisor', 'manager'))")
    add("client", "yoolla_client_update", "FOR UPDATE USING (yoolla_client_writable(id)) WITH CHECK (true)")
    add("client", "yoolla_client_delete", f"FOR DELETE USING ({role} IN ('admin', 'supervisor'))")

    add("order", "yoolla_order_read", f"FOR SELECT USING ({me} IS NOT NULL)")
    add("order", "yoolla_order_write", "FOR ALL USING (yoolla_deal_visible(deal_id)) WITH CHECK (yoolla_deal_visible(deal_id))")

    add("task", "yoolla_task_read", f"FOR SELECT USING ({me} IS NOT NULL)")
    add("task", "yoolla_task_write", f"FOR ALL USING (assignee_id = {me} OR yoolla_order_visible(order_id)) "
                                     f"WITH CHECK (assignee_id = {me} OR yoolla_order_visible(order_id))")

    add(AUDIT, "yoolla_audit_read",
        f"FOR SELECT USING ({role} = 'admin' OR seq IS NULL OR actor_id = {me} OR real_actor_id = {me}"
        f" OR ({role} = 'supervisor' AND actor_id = ANY (yoolla_team_ids()))"
        f" OR (entity = 'deal' AND entity_id IS NOT NULL AND yoolla_deal_visible(entity_id)))")
    add(AUDIT, "yoolla_audit_insert",
        f"FOR INSERT WITH CHECK (seq IS NULL AND hash IS NULL AND ({role} = 'admin' OR actor_id = {me} OR real_actor_id = {me}))")
    add(AUDIT, "yoolla_audit_link", "FOR UPDATE USING (seq IS NULL) WITH CHECK (seq IS NOT NULL AND hash IS NOT NULL)")
    return p


def apply(conn: Connection) -> None:
    """Create or bring up to date the group roles, grants, helper functions, policies and the
    audit trigger of this database (PostgreSQL; nothing on SQLite). Needs CREATEROLE."""
    if not is_postgres(conn):
        return
    schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
    qschema = quote(schema)
    names = groups(conn)
    for name in names.values():
        exists = conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(n)s", {"n": name}).scalar()
        if not exists:
            conn.exec_driver_sql(f"CREATE ROLE {quote(name)} NOLOGIN")
    everyone = ", ".join(quote(n) for n in names.values())
    admin, sellers_cfg = quote(names["admin"]), ", ".join(quote(names[r]) for r in ("admin", "supervisor"))
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {qschema} TO {everyone}")
    for table in _tables(conn):
        t = f'{qschema}."{table}"'
        conn.exec_driver_sql(f"REVOKE ALL ON {t} FROM PUBLIC, {everyone}")
        conn.exec_driver_sql(f"GRANT SELECT ON {t} TO {everyone}")
        if table in OWNER_ONLY:
            continue
        if table in ADMIN_WRITE:
            conn.exec_driver_sql(f"GRANT INSERT, UPDATE ON {t} TO {admin}")
            # Everyone may lock their own row (the task timer does) and change their own name:
            # SELECT … FOR UPDATE needs an UPDATE grant on some column; the policy keeps it to their row.
            conn.exec_driver_sql(f"GRANT UPDATE (full_name) ON {t} TO {everyone}")
        elif table in CONFIG:
            conn.exec_driver_sql(f"GRANT INSERT, UPDATE, DELETE ON {t} TO {sellers_cfg}")
        elif table == AUDIT:
            conn.exec_driver_sql(f"GRANT INSERT, UPDATE (seq, hash) ON {t} TO {everyone}")
        elif table == HEAD:
            conn.exec_driver_sql(f"GRANT INSERT, UPDATE (seq, hash) ON {t} TO {everyone}")
        else:
            conn.exec_driver_sql(f"GRANT INSERT, UPDATE, DELETE ON {t} TO {everyone}")
    conn.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {qschema} TO {everyone}")
    conn.exec_driver_sql(_FUNCTIONS.format(schema=qschema).replace("%", "%%"), {})
    for table, name, create in _policies(qschema):
        conn.exec_driver_sql(f'DROP POLICY IF EXISTS {name} ON {qschema}."{table}"')
        conn.exec_driver_sql(create)
    for table in RLS_TABLES:
        conn.exec_driver_sql(f'ALTER TABLE {qschema}."{table}" ENABLE ROW LEVEL SECURITY')
    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS yoolla_audit_guard ON {qschema}.{AUDIT}")
    conn.exec_driver_sql(f"CREATE TRIGGER yoolla_audit_guard BEFORE UPDATE OR DELETE ON {qschema}.{AUDIT} "
                         "FOR EACH ROW EXECUTE FUNCTION yoolla_audit_guard()")
    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS yoolla_audit_guard_truncate ON {qschema}.{AUDIT}")
    conn.exec_driver_sql(f"CREATE TRIGGER yoolla_audit_guard_truncate BEFORE TRUNCATE ON {qschema}.{AUDIT} "
                         "FOR EACH STATEMENT EXECUTE FUNCTION yoolla_audit_guard()")


def remove(conn: Connection) -> None:
    """Undo `apply` (the migration's downgrade): policies, RLS, trigger, functions, grants; the
    group roles are dropped when no login role is left in them."""
    if not is_postgres(conn):
        return
    schema = quote(conn.exec_driver_sql("SELECT current_schema()").scalar())
    for table, name, _create in _policies(schema):
        conn.exec_driver_sql(f'DROP POLICY IF EXISTS {name} ON {schema}."{table}"')
    for table in RLS_TABLES:
        conn.exec_driver_sql(f'ALTER TABLE {schema}."{table}" DISABLE ROW LEVEL SECURITY')
    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS yoolla_audit_guard ON {schema}.{AUDIT}")
    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS yoolla_audit_guard_truncate ON {schema}.{AUDIT}")
    for fn in ("yoolla_audit_guard()", "yoolla_client_readable(integer)", "yoolla_client_writable(integer)",
               "yoolla_order_visible(integer)", "yoolla_deal_visible(integer)", "yoolla_deal_rule(integer, integer)",
               "yoolla_team_ids()", "yoolla_current_role()", "yoolla_current_user_id()"):
        conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {fn}")
    for name in groups(conn).values():
        if conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(n)s", {"n": name}).scalar():
            conn.exec_driver_sql(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {quote(name)}")
            conn.exec_driver_sql(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {quote(name)}")
            conn.exec_driver_sql(f"REVOKE ALL ON SCHEMA {schema} FROM {quote(name)}")
            members = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid WHERE r.rolname = %(n)s",
                {"n": name}).scalar()
            if not members:
                conn.exec_driver_sql(f"DROP ROLE {quote(name)}")


def problems(conn: Connection) -> list[str]:
    """What is missing of `apply` (empty: roles, grants, policies and the audit trigger are in place)."""
    if not is_postgres(conn):
        return []
    out: list[str] = []
    names = groups(conn)
    present = set(conn.exec_driver_sql("SELECT rolname FROM pg_roles WHERE rolname = ANY(%(n)s)",
                                       {"n": list(names.values())}).scalars())
    out += [f"role {n} missing" for n in names.values() if n not in present]
    rls = dict(conn.exec_driver_sql(
        "SELECT relname, relrowsecurity FROM pg_class WHERE relnamespace = current_schema()::regnamespace "
        "AND relname = ANY(%(t)s)", {"t": list(RLS_TABLES)}).all())
    out += [f"row-level security off on {t}" for t in RLS_TABLES if not rls.get(t)]
    have = set(conn.exec_driver_sql("SELECT tablename || '.' || policyname FROM pg_policies "
                                    "WHERE schemaname = current_schema()").scalars())
    out += [f"policy {name} on {table} missing" for table, name, _c in _policies("x") if f"{table}.{name}" not in have]
    triggers = set(conn.exec_driver_sql(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = %(t)s::regclass AND tgenabled <> 'D'",
        {"t": AUDIT}).scalars())
    out += [f"trigger {t} on {AUDIT} missing or disabled" for t in ("yoolla_audit_guard", "yoolla_audit_guard_truncate")
            if t not in triggers]
    if names["manager"] in present:
        for privilege, wanted in (("INSERT", True), ("DELETE", False), ("TRUNCATE", False)):
            got = conn.exec_driver_sql("SELECT has_table_privilege(%(r)s, %(t)s, %(p)s)",
                                       {"r": names["manager"], "t": AUDIT, "p": privilege}).scalar()
            if got != wanted:
                out.append(f"{names['manager']} {'lacks' if wanted else 'has'} {privilege} on {AUDIT}")
        for table in ("deal", "call", "client"):
            if not conn.exec_driver_sql("SELECT has_table_privilege(%(r)s, %(t)s, 'SELECT')",
                                        {"r": names["manager"], "t": table}).scalar():
                out.append(f"{names['manager']} lacks SELECT on {table}")
    return out


# ---- login roles (people.users calls these; the CLI never does) -------------------------------

def scram_verifier(password: str, *, salt: bytes | None = None, iterations: int = 4096) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802 / 7677), made here
    so that the plaintext never reaches the server or its logs:
    `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, all base64.

    The password is NFKC-normalised, as SASLprep does for the passwords people type."""
    import base64
    import hashlib
    import hmac
    import os
    import unicodedata

    salt = salt if salt is not None else os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", unicodedata.normalize("NFKC", password).encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    b64 = lambda raw: base64.b64encode(raw).decode("ascii")  # noqa: E731
    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


_VERIFIER = re.compile(r"^SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$")


def _password_clause(verifier: str) -> str:
    if not _VERIFIER.match(verifier):
        raise ValueError("not a SCRAM-SHA-256 verifier")
    return f"PASSWORD '{verifier}'"


def role_exists(conn: Connection, name: str) -> bool:
    return bool(conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(n)s", {"n": name}).scalar())


def connected_as(conn: Connection) -> str:
    return conn.exec_driver_sql("SELECT session_user").scalar()


def create_login(conn: Connection, name: str, verifier: str) -> None:
    """A new login role with this SCRAM verifier as its password (CREATEROLE needed)."""
    conn.exec_driver_sql(f"CREATE ROLE {quote(name)} LOGIN {_password_clause(verifier)}".replace("%", "%%"), {})


def set_password(conn: Connection, name: str, verifier: str) -> None:
    conn.exec_driver_sql(f"ALTER ROLE {quote(name)} {_password_clause(verifier)}".replace("%", "%%"), {})


def set_login(conn: Connection, name: str, can_login: bool) -> None:
    """LOGIN or NOLOGIN: a deactivated person's role can no longer connect."""
    conn.exec_driver_sql(f"ALTER ROLE {quote(name)} {'LOGIN' if can_login else 'NOLOGIN'}")


def set_group(conn: Connection, name: str, role: str) -> None:
    """Make `name` a member of this database's group of `role`, and of no other of its groups."""
    for other, group in groups(conn).items():
        if other != role and conn.exec_driver_sql(
                "SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member "
                "WHERE g.rolname = %(g)s AND r.rolname = %(r)s", {"g": group, "r": name}).scalar():
            conn.exec_driver_sql(f"REVOKE {quote(group)} FROM {quote(name)}")
    conn.exec_driver_sql(f"GRANT {quote(groups(conn)[role])} TO {quote(name)}")
