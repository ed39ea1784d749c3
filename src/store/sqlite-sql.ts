/**
 * @module The SQL of the SQLite backend: kine's single append-only table, where each row is
 * one revision, and the statements run on it (each prepared once by SqliteStore).
 */

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT, -- the revision; AUTOINCREMENT never reuses an id, even one compacted away
  name TEXT NOT NULL,                   -- the key
  created INTEGER NOT NULL,             -- 1 on the row that created the key
  deleted INTEGER NOT NULL,             -- 1 on a delete row (value = the deleted value)
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,       -- id of the key's previous row, 0 if none
  value TEXT NOT NULL,
  old_value TEXT                        -- value of the previous row, so watch events carry prev without a join
);
CREATE INDEX IF NOT EXISTS kv_log_name_id ON kv_log (name, id);
-- kine's guard for compare-and-swap: two rows can never claim the same predecessor.
CREATE UNIQUE INDEX IF NOT EXISTS kv_log_name_prev_revision ON kv_log (name, prev_revision);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
`;

const COLUMNS = 'id, name, created, deleted, create_revision, prev_revision, value, old_value';
/** Lists never need the previous value (only watch events do): reading it would double what a list reads. */
const LIST_COLUMNS = COLUMNS.split(', ').filter((c) => c !== 'old_value');

/** The state at a revision: each key's latest row with id <= revision, unless it is a delete. */
function listAt(bounded: boolean): string {
  return `
SELECT ${LIST_COLUMNS.map((c) => `kv.${c}`).join(', ')} FROM kv_log AS kv
JOIN (
  SELECT MAX(id) AS id FROM kv_log
  WHERE name >= ? ${bounded ? 'AND name < ?' : ''} AND id <= ?
  GROUP BY name
) AS latest ON latest.id = kv.id
WHERE kv.deleted = 0
ORDER BY kv.name
LIMIT ?`;
}

function countLive(bounded: boolean): string {
  return `
SELECT COUNT(*) AS n FROM kv_log AS kv
JOIN (
  SELECT MAX(id) AS id FROM kv_log WHERE name >= ? ${bounded ? 'AND name < ?' : ''} GROUP BY name
) AS latest ON latest.id = kv.id
WHERE kv.deleted = 0`;
}

function history(bounded: boolean): string {
  return `
SELECT ${COLUMNS} FROM kv_log
WHERE id > ? AND name >= ? ${bounded ? 'AND name < ?' : ''}
ORDER BY id
LIMIT ?`;
}

/** The statements by name; "Range" variants take a prefix end, "All" ones are for the empty prefix. */
export const SQL = {
  begin: 'BEGIN IMMEDIATE',
  commit: 'COMMIT',
  rollback: 'ROLLBACK',
  lastRevision: `SELECT seq FROM sqlite_sequence WHERE name = 'kv_log'`,
  metaGet: 'SELECT value FROM meta WHERE key = ?',
  metaSet: 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  latest: `SELECT ${COLUMNS} FROM kv_log WHERE name = ? ORDER BY id DESC LIMIT 1`,
  getAt: `SELECT ${COLUMNS} FROM kv_log WHERE name = ? AND id <= ? ORDER BY id DESC LIMIT 1`,
  insert: `INSERT INTO kv_log (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  listRange: listAt(true),
  listAll: listAt(false),
  countRange: countLive(true),
  countAll: countLive(false),
  historyRange: history(true),
  historyAll: history(false),
  /**
   * kine's compaction: drop every row that a row at or below the revision supersedes (its
   * prev_revision), and every delete row at or below it. What stays is, for each key, the row
   * current at the revision (if live) and everything after, so reads at the compact revision
   * still see the whole state.
   */
  compact: `
DELETE FROM kv_log WHERE id IN (
  SELECT prev_revision FROM kv_log WHERE id <= ? AND prev_revision != 0
  UNION
  SELECT id FROM kv_log WHERE id <= ? AND deleted != 0
)`,
} as const;

export const COMPACT_REVISION_KEY = 'compact_revision';
