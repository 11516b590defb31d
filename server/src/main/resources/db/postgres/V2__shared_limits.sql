-- Request and token buckets per key (Bucket4j's PostgreSQL proxy manager, SELECT ... FOR UPDATE):
-- the state is Bucket4j's serialised bucket; expires_at lets full buckets be swept.
CREATE TABLE rate_buckets (
  id TEXT PRIMARY KEY,
  state BYTEA,
  expires_at BIGINT
);

-- Concurrency slots as leases: a replica holds one per request in flight and renews those it holds;
-- the leases of a replica that died (kill -9) expire and free their slots.
CREATE TABLE concurrency_leases (
  id TEXT PRIMARY KEY,
  key_id TEXT NOT NULL,
  replica TEXT NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX concurrency_leases_key ON concurrency_leases (key_id);

-- Takes a slot of p_key when fewer than p_max live leases hold one; one round trip. The advisory
-- lock (per key, until the transaction ends) makes count-then-insert atomic across replicas; expiry
-- uses the database's clock, so replicas' clocks need not agree.
CREATE FUNCTION tandem_acquire_lease(p_lease TEXT, p_key TEXT, p_replica TEXT, p_max INTEGER, p_ttl_ms BIGINT)
RETURNS BOOLEAN AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('tandem.lease.' || p_key, 0));
  DELETE FROM concurrency_leases WHERE key_id = p_key AND expires_at < clock_timestamp();
  IF (SELECT count(*) FROM concurrency_leases WHERE key_id = p_key) >= p_max THEN
    RETURN FALSE;
  END IF;
  INSERT INTO concurrency_leases (id, key_id, replica, expires_at)
    VALUES (p_lease, p_key, p_replica, clock_timestamp() + p_ttl_ms * INTERVAL '1 millisecond');
  RETURN TRUE;
END
$$ LANGUAGE plpgsql;
