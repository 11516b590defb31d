-- Stored responses of the Responses API, as in the SQLite file: a response is a row, its items rows of
-- their own (input kind 0, output kind 1, in order) so that an item_reference finds one by id. Shared by
-- every replica: a response stored through one is found through any.
CREATE TABLE responses (
  id TEXT PRIMARY KEY,
  seq BIGSERIAL NOT NULL,                 -- insertion order, to break ties of created_ms (SQLite's rowid)
  owner TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  response TEXT NOT NULL
);
CREATE INDEX responses_created ON responses (created_ms, seq);

-- Items go with their response (deleted or pruned) by the foreign key.
CREATE TABLE response_items (
  response_id TEXT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
  kind SMALLINT NOT NULL,
  position INTEGER NOT NULL,
  owner TEXT NOT NULL,
  item_id TEXT NOT NULL,
  item TEXT NOT NULL,
  PRIMARY KEY (response_id, kind, position)
);
CREATE INDEX response_items_id ON response_items (owner, item_id);
