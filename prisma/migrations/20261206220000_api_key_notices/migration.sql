-- Web processes cache API key lookups for a few seconds (lib/keys/api-key-cache.ts); any change to
-- a key that decides what it may do, or its removal, tells them at once, whichever path made it
-- (the API, a role change, the admin CLI, SQL by hand, a tenant's cascade delete). Only
-- last_used_at changing says nothing: it is advisory and written by the lookup itself.
CREATE FUNCTION burrow_notify_api_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('burrow_api_keys', 'key:' || OLD.id);
  RETURN NULL;
END;
$$;

CREATE TRIGGER api_keys_notify_change
  AFTER UPDATE ON api_keys FOR EACH ROW
  WHEN ((to_jsonb(OLD) - 'last_used_at') IS DISTINCT FROM (to_jsonb(NEW) - 'last_used_at'))
  EXECUTE FUNCTION burrow_notify_api_key_change();

CREATE TRIGGER api_keys_notify_delete
  AFTER DELETE ON api_keys FOR EACH ROW
  EXECUTE FUNCTION burrow_notify_api_key_change();

-- The cached lookup carries the tenant's slug and name (GET /me answers them).
CREATE FUNCTION burrow_notify_tenant_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('burrow_api_keys', 'tenant:' || OLD.id);
  RETURN NULL;
END;
$$;

CREATE TRIGGER tenants_notify_change
  AFTER UPDATE OF slug, name ON tenants FOR EACH ROW
  WHEN (OLD.slug IS DISTINCT FROM NEW.slug OR OLD.name IS DISTINCT FROM NEW.name)
  EXECUTE FUNCTION burrow_notify_tenant_change();
