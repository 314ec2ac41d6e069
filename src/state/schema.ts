// The sync state's tables, as numbered migrations applied in order inside one transaction each.
// A database written by a newer version of this program is refused rather than guessed at.

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE runs (
    run_id      TEXT PRIMARY KEY,
    shop        TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'interrupted')),
    summary     TEXT
  );
  -- The watermark is the exclusive upper bound of the newest committed window: every record updated
  -- before it has been uploaded and published. It only ever moves inside Windows.commit().
  CREATE TABLE watermarks (
    shop       TEXT NOT NULL,
    entity     TEXT NOT NULL,
    watermark  TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (shop, entity)
  );
  CREATE TABLE windows (
    window_id    INTEGER PRIMARY KEY,
    run_id       TEXT NOT NULL REFERENCES runs(run_id),
    shop         TEXT NOT NULL,
    entity       TEXT NOT NULL,
    since        TEXT,
    until        TEXT,
    status       TEXT NOT NULL CHECK (status IN ('planned', 'submitted', 'downloaded', 'uploaded', 'committed', 'failed', 'abandoned')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    operation_id TEXT,
    query_hash   TEXT,
    lines        INTEGER,
    max_cursor   TEXT,
    error_code   TEXT,
    error        TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
  );
  CREATE INDEX windows_open ON windows (shop, entity, status);
  CREATE TABLE operations (
    operation_id      TEXT PRIMARY KEY,
    shop              TEXT NOT NULL,
    entity            TEXT NOT NULL,
    window_id         INTEGER NOT NULL REFERENCES windows(window_id),
    query_hash        TEXT NOT NULL,
    status            TEXT NOT NULL,
    error_code        TEXT,
    object_count      INTEGER,
    root_object_count INTEGER,
    file_size         INTEGER,
    url               TEXT,
    submitted_at      TEXT NOT NULL,
    completed_at      TEXT,
    updated_at        TEXT NOT NULL
  );
  -- The outbox: every part file written, until it is durably uploaded.
  CREATE TABLE files (
    object_name TEXT PRIMARY KEY,
    window_id   INTEGER NOT NULL REFERENCES windows(window_id),
    run_id      TEXT NOT NULL,
    table_name  TEXT NOT NULL,
    local_path  TEXT NOT NULL,
    rows        INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    crc32c      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('staged', 'uploaded', 'lost')),
    uploaded_at TEXT
  );
  CREATE INDEX files_window ON files (window_id, status);
  -- One row while a run holds this database (local state); remote state uses a lock object instead.
  CREATE TABLE lock (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    owner      TEXT NOT NULL,
    pid        INTEGER NOT NULL,
    expires_at TEXT NOT NULL
  );
  `,
  // A window's key names it across state lineages (a fresh state hands out the same window_id again):
  // the run that created it and its id. Manifests list windows by it; retraction matches on it.
  `
  ALTER TABLE windows ADD COLUMN window_key TEXT;
  UPDATE windows SET window_key = run_id || '/' || window_id;
  CREATE UNIQUE INDEX windows_key ON windows (window_key);
  `,
  // An operation's result URL is a signed bearer credential (valid for days), and the state file is
  // uploaded to GCS: it is not kept. Nothing needs it stored: a run that adopts an operation reads it
  // from Shopify again. Dropped with secure_delete on, so the old values are gone from the file too.
  `
  ALTER TABLE operations DROP COLUMN url;
  `,
  // A window split by id range (more records on one updated_at instant than one operation reads) holds
  // the ids its query adds to its time range, `id:>id_after AND id:<=id_through`; NULL leaves that side
  // open. Decimal text: Shopify's ids are 64-bit.
  `
  ALTER TABLE windows ADD COLUMN id_after TEXT;
  ALTER TABLE windows ADD COLUMN id_through TEXT;
  `,
  // An entity past one bulk query's limits runs several on each window (src/entities/types.ts, Entity.parts).
  // The window row keeps its first part's operation, as it always kept a window's one operation;
  // window_parts keeps each further part's latest submission (operation_id NULL: marked before the
  // submit, not yet answered). An operation record names the part it ran.
  `
  CREATE TABLE window_parts (
    window_id    INTEGER NOT NULL REFERENCES windows(window_id),
    part         INTEGER NOT NULL CHECK (part > 0),
    operation_id TEXT,
    query_hash   TEXT,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (window_id, part)
  );
  ALTER TABLE operations ADD COLUMN part INTEGER NOT NULL DEFAULT 0;
  `,
  // The ids the warehouse holds per shop and output table, for the id-only snapshots that find deletes
  // (id-sets.ts): the earliest window end each was read below (epoch seconds) and whether a deletion was
  // reported for it; and what a window's attempt recorded until its commit adds it (ids as float64 blobs,
  // one per batch, and a deletions window's marks).
  `
  CREATE TABLE id_sets (
    set_id     INTEGER PRIMARY KEY,
    shop       TEXT NOT NULL,
    table_name TEXT NOT NULL,
    UNIQUE (shop, table_name)
  );
  CREATE TABLE known_ids (
    set_id      INTEGER NOT NULL REFERENCES id_sets(set_id),
    id          INTEGER NOT NULL,
    first_until INTEGER NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (set_id, id)
  ) WITHOUT ROWID;
  CREATE TABLE pending_ids (
    window_id  INTEGER NOT NULL REFERENCES windows(window_id),
    table_name TEXT NOT NULL,
    ids        BLOB NOT NULL
  );
  CREATE INDEX pending_ids_window ON pending_ids (window_id);
  CREATE TABLE pending_marks (
    window_id  INTEGER NOT NULL REFERENCES windows(window_id),
    table_name TEXT NOT NULL,
    id         INTEGER NOT NULL,
    deleted    INTEGER NOT NULL,
    PRIMARY KEY (window_id, table_name, id)
  ) WITHOUT ROWID;
  `,
  // What the quality checks read from a window's rows (src/pipeline/sums.ts), one blob per table per
  // batch (float64s), recorded as rows are written and kept until the run that lists the window in its
  // manifest has checked it (window-sums.ts).
  `
  CREATE TABLE window_sums (
    window_id  INTEGER NOT NULL REFERENCES windows(window_id),
    table_name TEXT NOT NULL,
    sums       BLOB NOT NULL
  );
  CREATE INDEX window_sums_window ON window_sums (window_id);
  `,
];
