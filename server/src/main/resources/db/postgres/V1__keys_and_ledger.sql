-- Keys and the usage ledger, as in the SQLite file (same columns, so both stores pass one contract).
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  seq BIGSERIAL NOT NULL,                 -- creation order for listing (SQLite's rowid)
  secret_sha256 TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  policy TEXT,
  allowed_models TEXT NOT NULL,
  rpm INTEGER, tpm INTEGER, max_concurrent INTEGER, budget_usd DOUBLE PRECISION,
  created_ms BIGINT NOT NULL,
  revoked_ms BIGINT
);

CREATE TABLE usage (
  id BIGSERIAL PRIMARY KEY,
  time_ms BIGINT NOT NULL,
  request_id TEXT NOT NULL,
  key_id TEXT NOT NULL,
  dialect TEXT NOT NULL,
  model TEXT NOT NULL,
  backend TEXT NOT NULL,
  route TEXT NOT NULL,
  prompt_tokens INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  ttft_ms BIGINT,
  total_ms BIGINT NOT NULL,
  status TEXT NOT NULL,
  cost_usd DOUBLE PRECISION NOT NULL
);
CREATE INDEX usage_time ON usage (time_ms);
CREATE INDEX usage_key ON usage (key_id);

-- Spend per key, kept in the same transaction as each priced row: the budget check is one lookup
-- whatever the ledger's size, and every replica sees the same figure.
CREATE TABLE key_spend (
  key_id TEXT PRIMARY KEY,
  spent_usd DOUBLE PRECISION NOT NULL
);
