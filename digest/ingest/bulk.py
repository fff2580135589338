"""Multi-row INSERTs for the ingest's thousands of rows, without Django's per-value compiler work.

`bulk_create` sends every value through the SQL compiler (field_as_sql, pre_save, prepare_value,
get_db_prep_save: about ten microseconds a value); 2,000 new papers are 66,000 values, which
cost more than the database's own work. `insert` sends the same values the same way: each field's
`get_db_prep_save` still runs where the field converts anything (JSON, dates, datetimes, ...);
only strings and numbers, which Django hands to the driver unchanged, skip the call. Primary keys
come back with RETURNING and are set on the objects in order, as bulk_create does; where the
database cannot return rows from a multi-row INSERT, this falls back to bulk_create.

On SQLite, one row of placeholders per object, as many rows per statement as SQLite's real
bound-parameter limit allows (32,766 on builds since 3.32; Django assumes the old 999 and so
sends ~30 papers per INSERT), never more than MAX_ROWS. On PostgreSQL, MAX_ROWS rows per
statement travel as one JSON document (see _postgresql_statements).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Hashable, Iterator, Sequence

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.options import Options

MAX_ROWS = 1000
_PASSTHROUGH = (models.CharField, models.TextField, models.IntegerField, models.FloatField)
_POSTGRES_MAX_PARAMS = 65_535


def max_params(db: BaseDatabaseWrapper) -> int:
    """How many values one statement may bind."""
    if db.vendor == "sqlite":
        db.ensure_connection()
        return db.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    if db.vendor == "postgresql":
        return _POSTGRES_MAX_PARAMS
    return db.features.max_query_params or _POSTGRES_MAX_PARAMS


def rows_per_statement(db: BaseDatabaseWrapper, columns: int) -> int:
    return max(1, min(MAX_ROWS, max_params(db) // max(1, columns)))


def insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """INSERT `objs` (unsaved, primary key unset) and set their primary keys."""
    if not objs:
        return
    # The wrapper itself, not the `django.db.connection` proxy: the proxy looks the connection
    # up again on every attribute access, and fields read the connection for every value.
    db = connections[DEFAULT_DB_ALIAS]
    if not db.features.can_return_rows_from_bulk_insert:
        model._default_manager.bulk_create(objs)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    if db.vendor == "postgresql":
        if not all(isinstance(_target(f), _AS_JSON) for f in fields):
            model._default_manager.bulk_create(objs)
            return
        statements = _postgresql_statements(meta, fields, db, objs)
    else:
        statements = _values_statements(meta, fields, db, objs)
    with db.cursor() as cursor:
        for batch, sql, params in statements:
            cursor.execute(sql, params)
            for obj, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = db.alias


Statement = tuple[Sequence[models.Model], str, list[object]]


def _values_statements(
    meta: Options, fields: list[models.Field], db: BaseDatabaseWrapper, objs: Sequence[models.Model]
) -> Iterator[Statement]:
    """INSERT ... VALUES (...), (...) RETURNING pk: one placeholder per value."""
    quote = db.ops.quote_name
    head = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    )
    tail = f" RETURNING {quote(meta.pk.column)}"
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    prepare = _Preparer(fields, db)
    size = rows_per_statement(db, len(fields))
    for start in range(0, len(objs), size):
        batch = objs[start : start + size]
        params = [value for obj in batch for value in prepare(obj)]
        yield batch, head + ", ".join([placeholders] * len(batch)) + tail, params


def _postgresql_statements(
    meta: Options, fields: list[models.Field], db: BaseDatabaseWrapper, objs: Sequence[models.Model]
) -> Iterator[Statement]:
    """INSERT ... SELECT FROM jsonb_to_recordset(%s) RETURNING pk: the rows travel as one JSON
    document, so psycopg quotes one string instead of 60,000 values (or array elements, which it
    escapes one by one in Python), and the server turns it back into typed columns."""
    quote = db.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    record = ", ".join(f"{quote(f.column)} {f.db_type(db)}" for f in fields)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "
        f"SELECT {columns} FROM jsonb_to_recordset(%s::jsonb) AS r({record}) "
        f"RETURNING {quote(meta.pk.column)}"
    )
    convert = [(f.attname, f.column, _json_converter(f)) for f in fields]
    for start in range(0, len(objs), MAX_ROWS):
        batch = objs[start : start + MAX_ROWS]
        rows = []
        for obj in batch:
            row = {}
            for attname, column, to_json in convert:
                value = getattr(obj, attname)
                row[column] = value if to_json is None or value is None else to_json(value)
            rows.append(row)
        yield batch, sql, [json.dumps(rows)]


# Field types whose values JSON carries faithfully (dates and datetimes as ISO 8601 text, which
# PostgreSQL reads back into date / timestamptz columns, offsets included).
_AS_JSON = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.FloatField,
    models.BooleanField,
    models.JSONField,
    models.DateField,  # DateTimeField is a DateField
    models.AutoField,
)


def _target(field: models.Field) -> models.Field:
    return field.target_field if field.is_relation else field


def _json_converter(field: models.Field) -> Callable[[object], object] | None:
    if isinstance(_target(field), models.DateField):  # and DateTimeField
        return lambda value: field.get_prep_value(value).isoformat()
    return None


class _Preparer:
    """An object's column values as the driver wants them (see the module docstring); values
    that repeat across rows (the ingest's timestamp) are converted once."""

    def __init__(self, fields: list[models.Field], db: BaseDatabaseWrapper) -> None:
        self.db = db
        self.columns = [
            (f.attname, None if isinstance(f, _PASSTHROUGH) and not f.is_relation else f)
            for f in fields
        ]
        self.memo: dict[tuple[str, type, Hashable], object] = {}

    def __call__(self, obj: models.Model) -> list[object]:
        values = []
        for attname, field in self.columns:
            value = getattr(obj, attname)
            if field is not None and value is not None:
                value = self._convert(field, value)
            values.append(value)
        return values

    def _convert(self, field: models.Field, value: object) -> object:
        if isinstance(field, models.JSONField) or not isinstance(value, Hashable):
            return field.get_db_prep_save(value, self.db)
        key = (field.attname, type(value), value)
        try:
            return self.memo[key]
        except KeyError:
            converted = self.memo[key] = field.get_db_prep_save(value, self.db)
            return converted
