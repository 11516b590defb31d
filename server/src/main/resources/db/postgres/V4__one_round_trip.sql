-- A request's admission and its settling, each one call to the store (issue 13, second pass): the
-- Bucket4j proxy held a key's bucket row locked across client round trips (SELECT ... FOR UPDATE, then
-- UPDATE, then COMMIT), and about seven calls ran one after another per request.

-- Ledger rows carry an id made by the replica before the write: a write retried after its answer was
-- lost inserts nothing the second time and adds no spend twice (ON CONFLICT DO NOTHING).
ALTER TABLE usage ADD COLUMN row_id TEXT;
CREATE UNIQUE INDEX usage_row_id ON usage (row_id);

-- Request and token buckets per key, as plain columns. A level counts sixtieths of a thousandth of a
-- token (60000 units = 1 token), so a limit of L per minute refills exactly L units a millisecond and
-- every figure stays an integer (a Retry-After of 30 s is 30 s, not 30.000000001). A token bucket may
-- go below zero: tokens are charged after the fact, and a key in debt waits until it refills.
CREATE TABLE key_buckets (
  key_id TEXT PRIMARY KEY,
  rpm INTEGER, rpm_level BIGINT,          -- the limit the level was counted for; null: no such limit
  tpm INTEGER, tpm_level BIGINT,
  at_ms BIGINT NOT NULL                   -- when the levels were last refilled (the replicas' clock)
);
DROP TABLE rate_buckets;

-- A bucket's level refilled over p_elapsed_ms; a full bucket when its limit changed (a new limit
-- starts afresh, as in memory) or was not kept before; null when the key has no such limit.
CREATE FUNCTION tandem_refill(p_had_limit INTEGER, p_level BIGINT, p_limit INTEGER, p_elapsed_ms BIGINT)
RETURNS BIGINT AS $$
  SELECT CASE
    WHEN p_limit IS NULL THEN NULL
    WHEN p_level IS NULL OR p_had_limit IS DISTINCT FROM p_limit THEN p_limit * 60000::BIGINT
    ELSE LEAST(p_limit * 60000::BIGINT, p_level + GREATEST(p_elapsed_ms, 0) * p_limit)
  END
$$ LANGUAGE sql IMMUTABLE;

-- How long until a bucket of p_limit per minute holds one whole token again, in whole milliseconds.
CREATE FUNCTION tandem_wait_ms(p_level BIGINT, p_limit INTEGER) RETURNS BIGINT AS $$
  SELECT (60000 - p_level + p_limit - 1) / p_limit
$$ LANGUAGE sql IMMUTABLE;

-- Admits one request of p_key, in one call: the budget (when p_budget is given), a concurrency lease,
-- then tokens (at least one left) and a request (one taken) from the buckets. Returns refused null and
-- budget_spent when admitted, else refused = 'budget' | 'concurrency' | 'tpm' | 'rpm' and retry_ms.
-- The key's bucket row is locked from the first statement until the call returns: admissions of one
-- key go one at a time across replicas, and the lock never waits on a client.
CREATE FUNCTION tandem_admit(p_key TEXT, p_now_ms BIGINT, p_rpm INTEGER, p_tpm INTEGER,
    p_max_concurrent INTEGER, p_lease TEXT, p_replica TEXT, p_lease_ttl_ms BIGINT,
    p_budget_usd DOUBLE PRECISION, p_budget_refuses BOOLEAN,
    OUT refused TEXT, OUT retry_ms BIGINT, OUT budget_spent BOOLEAN) AS $$
DECLARE
  b key_buckets;
  v_now BIGINT;
  v_rpm BIGINT;
  v_tpm BIGINT;
BEGIN
  budget_spent := p_budget_usd IS NOT NULL
      AND COALESCE((SELECT spent_usd FROM key_spend WHERE key_id = p_key), 0) >= p_budget_usd;
  IF budget_spent AND p_budget_refuses THEN
    refused := 'budget';
    retry_ms := 0;
    RETURN;
  END IF;
  IF p_rpm IS NULL AND p_tpm IS NULL AND p_max_concurrent IS NULL THEN
    RETURN;
  END IF;

  SELECT * INTO b FROM key_buckets WHERE key_id = p_key FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO key_buckets (key_id, at_ms) VALUES (p_key, p_now_ms) ON CONFLICT DO NOTHING;
    SELECT * INTO b FROM key_buckets WHERE key_id = p_key FOR UPDATE;
  END IF;

  IF p_max_concurrent IS NOT NULL THEN
    -- expiry on the database's clock, so the replicas' clocks need not agree on it
    DELETE FROM concurrency_leases WHERE key_id = p_key AND expires_at < clock_timestamp();
    IF (SELECT count(*) FROM concurrency_leases WHERE key_id = p_key) >= p_max_concurrent THEN
      refused := 'concurrency';
      retry_ms := 1000;
      RETURN;
    END IF;
  END IF;

  v_now := GREATEST(b.at_ms, p_now_ms);   -- a replica whose clock lags refills nothing twice
  v_rpm := tandem_refill(b.rpm, b.rpm_level, p_rpm, v_now - b.at_ms);
  v_tpm := tandem_refill(b.tpm, b.tpm_level, p_tpm, v_now - b.at_ms);
  IF v_tpm < 60000 THEN
    refused := 'tpm';
    retry_ms := tandem_wait_ms(v_tpm, p_tpm);
  ELSIF v_rpm < 60000 THEN
    refused := 'rpm';
    retry_ms := tandem_wait_ms(v_rpm, p_rpm);
  ELSE
    v_rpm := v_rpm - 60000;
    IF p_max_concurrent IS NOT NULL THEN
      INSERT INTO concurrency_leases (id, key_id, replica, expires_at)
        VALUES (p_lease, p_key, p_replica, clock_timestamp() + p_lease_ttl_ms * INTERVAL '1 millisecond');
    END IF;
  END IF;
  UPDATE key_buckets SET rpm = p_rpm, rpm_level = v_rpm, tpm = p_tpm, tpm_level = v_tpm, at_ms = v_now
    WHERE key_id = p_key;
END
$$ LANGUAGE plpgsql;

-- Settles an admitted request in one call: its lease given back (when it holds one) and the tokens it
-- used charged to the token bucket (possibly into debt), refilled to p_now_ms first. The key's row may
-- have been swept meanwhile (a full bucket): then it starts again from a full one.
CREATE FUNCTION tandem_settle(p_key TEXT, p_lease TEXT, p_now_ms BIGINT, p_tpm INTEGER, p_tokens BIGINT)
RETURNS VOID AS $$
BEGIN
  IF p_lease IS NOT NULL THEN
    DELETE FROM concurrency_leases WHERE id = p_lease;
  END IF;
  IF p_tpm IS NOT NULL AND p_tokens > 0 THEN
    INSERT INTO key_buckets AS k (key_id, tpm, tpm_level, at_ms)
      VALUES (p_key, p_tpm, (p_tpm - p_tokens) * 60000::BIGINT, p_now_ms)
    ON CONFLICT (key_id) DO UPDATE SET
        rpm_level = tandem_refill(k.rpm, k.rpm_level, k.rpm, GREATEST(k.at_ms, p_now_ms) - k.at_ms),
        tpm_level = tandem_refill(k.tpm, k.tpm_level, p_tpm, GREATEST(k.at_ms, p_now_ms) - k.at_ms) - p_tokens * 60000,
        tpm = p_tpm,
        at_ms = GREATEST(k.at_ms, p_now_ms);
  END IF;
END
$$ LANGUAGE plpgsql;

-- Sweeps the rows of keys whose buckets are full again (a missing row is a full bucket), so the table
-- holds the keys in use, not every key ever used; a key still in debt keeps its row.
CREATE FUNCTION tandem_sweep_buckets(p_now_ms BIGINT) RETURNS INTEGER AS $$
  WITH gone AS (
    DELETE FROM key_buckets
      WHERE COALESCE(tandem_refill(rpm, rpm_level, rpm, p_now_ms - at_ms) >= rpm * 60000::BIGINT, TRUE)
        AND COALESCE(tandem_refill(tpm, tpm_level, tpm, p_now_ms - at_ms) >= tpm * 60000::BIGINT, TRUE)
      RETURNING 1)
  SELECT count(*)::INTEGER FROM gone
$$ LANGUAGE sql;
