-- Run by run.sh on every start, as the superuser, in FerretDB's database, in single-user mode (a statement ends
-- with a semicolon and a blank line); run.sh then calls pg_temp.civicflow_role once for each role it was given.
-- Nobody reaches the database or its public schema by default: each role gets what civicflow_role grants.
REVOKE ALL ON DATABASE ferretdb FROM PUBLIC;

REVOKE ALL ON SCHEMA public FROM PUBLIC;

-- FerretDB 1.24 keeps one catalogue of all databases and collections for all its clients, read from each schema's
-- _ferretdb_database_metadata table with the credentials of whichever client comes first after a start; a database
-- that client cannot see is taken for missing, and its owner's next write fails ("relation already exists"). So
-- everyone may see every schema and read that table (collection names and indexes), never a collection's data.
CREATE OR REPLACE FUNCTION civicflow_catalogue_readable() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
    created record;
BEGIN
    FOR created IN
        SELECT object_identity FROM pg_event_trigger_ddl_commands()
        WHERE command_tag = 'CREATE TABLE' AND object_identity LIKE '%._ferretdb_database_metadata'
    LOOP
        EXECUTE format('GRANT SELECT ON %s TO PUBLIC', created.object_identity);
    END LOOP;
END
$$;

DROP EVENT TRIGGER IF EXISTS civicflow_catalogue_readable;

CREATE EVENT TRIGGER civicflow_catalogue_readable ON ddl_command_end WHEN TAG IN ('CREATE TABLE')
    EXECUTE FUNCTION civicflow_catalogue_readable();

-- `ferretdb` owns the database (FerretDB's own role, the store's operator: health checks, tests, tools) and is a
-- member of every other role. Every other role is a service: it owns the schema of its name (FerretDB keeps a
-- MongoDB database as a schema) and everything in it, and has no privilege on any other schema's data.
CREATE FUNCTION pg_temp.civicflow_role(name text, password text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    tab text;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) THEN
        EXECUTE format('CREATE ROLE %I LOGIN', name);
    END IF;
    EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', name, password);
    -- CREATE as well: FerretDB runs CREATE SCHEMA IF NOT EXISTS before each first use of a database, which
    -- PostgreSQL checks against this privilege even when the schema exists. A service may so make a new schema
    -- (database) of its own; it still reaches no other.
    EXECUTE format('GRANT CONNECT, CREATE ON DATABASE ferretdb TO %I', name);
    IF name = 'ferretdb' THEN
        RETURN;
    END IF;
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', name, name);
    EXECUTE format('ALTER SCHEMA %I OWNER TO %I', name, name);
    -- Data written before the roles existed belongs to ferretdb: hand it to the service.
    FOR tab IN SELECT tablename FROM pg_tables WHERE schemaname = name AND tableowner <> name LOOP
        EXECUTE format('ALTER TABLE %I.%I OWNER TO %I', name, tab, name);
    END LOOP;
    EXECUTE format('GRANT %I TO ferretdb', name);
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO PUBLIC', name);
    IF to_regclass(format('%I._ferretdb_database_metadata', name)) IS NOT NULL THEN
        EXECUTE format('GRANT SELECT ON %I._ferretdb_database_metadata TO PUBLIC', name);
    END IF;
END
$$;

