-- Run once by run.sh, as the superuser, in FerretDB's database (single-user mode: a statement ends with a
-- semicolon and a blank line).
--
-- FerretDB 1.24 hands an equality filter to PostgreSQL as  _jsonb->'field' @> '<value>'  and makes an index on
-- a field as a btree on  (_jsonb->'field'),  which cannot answer @>. So every find, update and delete, by _id
-- too, scans the whole table, and costs as much as the collection is large. For each top-level field of a btree
-- index that FerretDB creates, this event trigger adds a GIN index (jsonb_path_ops, which answers @>) on the
-- same expression in the same transaction. Without fastupdate: its pending list of new entries is read by every
-- search until (auto)vacuum merges it, which made lookups slower the more was inserted since. FerretDB does not
-- know these indexes: listIndexes does not show them, and one stays when FerretDB drops the index it was made
-- for (until the collection goes).
CREATE FUNCTION civicflow_gin_twins() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
    created record;
    field text;
    twin text;
BEGIN
    FOR created IN
        SELECT tab.relnamespace::regnamespace::text AS schema, tab.relname,
               pg_get_indexdef(index.indexrelid, k, false) AS expression
        FROM pg_event_trigger_ddl_commands() AS command
        JOIN pg_index AS index ON index.indexrelid = command.objid
        JOIN pg_class AS class ON class.oid = index.indexrelid
        JOIN pg_am AS method ON method.oid = class.relam AND method.amname = 'btree'
        JOIN pg_class AS tab ON tab.oid = index.indrelid
        CROSS JOIN generate_series(1, index.indnkeyatts) AS k
        WHERE command.command_tag = 'CREATE INDEX'
    LOOP
        field := substring(created.expression FROM '^\(*_jsonb -> ''((?:[^'']|'''')*)''::text\)*$');
        CONTINUE WHEN field IS NULL;  -- a nested path: FerretDB does not push those down
        field := replace(field, '''''', '''');
        twin := left(created.relname, 40) || '_' || left(md5(created.relname || field), 8) || '_gin';
        CONTINUE WHEN to_regclass(format('%I.%I', created.schema, twin)) IS NOT NULL;  -- another index's twin
        EXECUTE format(
            'CREATE INDEX %I ON %I.%I USING gin ((_jsonb -> %L) jsonb_path_ops) WITH (fastupdate = off)',
            twin, created.schema, created.relname, field
        );
    END LOOP;
END
$$;

CREATE EVENT TRIGGER civicflow_gin_twins ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
    EXECUTE FUNCTION civicflow_gin_twins();

