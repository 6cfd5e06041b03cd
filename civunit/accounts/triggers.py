"""Database triggers that end a person's sessions when their account is deactivated.

`User.session_generation` is mixed into the session hash. These triggers raise it whenever `is_active` goes from
true to false, and keep it from ever going down, on every path that reaches the database (the admin, `save()`,
`QuerySet.update()`, `bulk_update()`, raw SQL). The second rule matters: a script that deactivates and then
reactivates the same object saves its stale generation back, which would otherwise revive the old sessions.

SQLite drops a table's triggers when Django remakes the table (some ALTERs on SQLite): a migration that alters
accounts_user must call `create(schema_editor)` again. tests/accounts/test_sessions.py checks that they exist.
"""

NAME = "accounts_user_session_generation"

SQLITE_CREATE = """
CREATE TRIGGER IF NOT EXISTS accounts_user_session_generation
AFTER UPDATE ON accounts_user
FOR EACH ROW
WHEN NEW.session_generation < OLD.session_generation OR (OLD.is_active AND NOT NEW.is_active)
BEGIN
    UPDATE accounts_user
    SET session_generation = max(OLD.session_generation, NEW.session_generation)
        + (CASE WHEN OLD.is_active AND NOT NEW.is_active THEN 1 ELSE 0 END)
    WHERE id = NEW.id;
END
"""

POSTGRESQL_CREATE = [
    """
CREATE OR REPLACE FUNCTION accounts_user_session_generation() RETURNS trigger AS $body$
BEGIN
    NEW.session_generation := GREATEST(OLD.session_generation, NEW.session_generation)
        + (CASE WHEN OLD.is_active AND NOT NEW.is_active THEN 1 ELSE 0 END);
    RETURN NEW;
END;
$body$ LANGUAGE plpgsql
""",
    "DROP TRIGGER IF EXISTS accounts_user_session_generation ON accounts_user",
    "CREATE TRIGGER accounts_user_session_generation BEFORE UPDATE ON accounts_user FOR EACH ROW "
    "EXECUTE FUNCTION accounts_user_session_generation()",
]


def create(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        for statement in POSTGRESQL_CREATE:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"no session-generation trigger for {vendor}")


def drop(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS accounts_user_session_generation")
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_CREATE[1])
        schema_editor.execute("DROP FUNCTION IF EXISTS accounts_user_session_generation()")


def exists(connection) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s", [NAME])
        else:
            cursor.execute("SELECT 1 FROM pg_trigger WHERE tgname = %s AND NOT tgisinternal", [NAME])
        return cursor.fetchone() is not None
