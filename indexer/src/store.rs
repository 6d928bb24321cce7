//! The SQLite store: the system of record.
//!
//! It holds the current version of every record, every earlier version as history, the crawl
//! state of every fetched URL (validators and body hash for conditional GETs), and the crawl runs
//! with their reports. Analysts may open the file with any SQLite tool: the `records` table has
//! plain columns for the common fields beside the full JSON document.
//!
//! Every write that changes a record takes the next value of a store-wide sequence number, so the
//! index can follow the store incrementally with [`Store::changes_since`].

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::record::Record;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored document could not be read back.
    #[error("stored record {id} is not valid JSON: {source}")]
    Corrupt {
        /// The record id.
        id: String,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// A record could not be serialised.
    #[error("cannot serialise record {id}: {source}")]
    Serialize {
        /// The record id.
        id: String,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// The database file was written by a newer version of tenders.
    #[error("database schema version {found} is newer than this program supports ({supported})")]
    SchemaTooNew {
        /// Version found in the file.
        found: i64,
        /// Version this build writes.
        supported: i64,
    },
}

/// Result alias of the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertOutcome {
    /// The record was not in the store.
    New,
    /// The record existed with different content; the old version went to history.
    Changed,
    /// The record existed with the same content; only `last_seen` moved.
    Unchanged,
}

/// One change for the index to apply.
#[derive(Debug, Clone)]
pub struct Change {
    /// The sequence number of the write; strictly increasing.
    pub seq: u64,
    /// The record as it is now.
    pub record: Record,
}

/// Crawl state of one URL, for conditional GETs and change detection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlState {
    /// The URL.
    pub url: String,
    /// The source that fetched it.
    pub source: String,
    /// `ETag` of the last 200 response.
    pub etag: Option<String>,
    /// `Last-Modified` of the last 200 response.
    pub last_modified: Option<String>,
    /// SHA-256 of the last body, hex.
    pub body_hash: Option<String>,
    /// HTTP status of the last fetch.
    pub status: Option<u16>,
    /// When it was last fetched.
    pub fetched_at: Option<DateTime<Utc>>,
}

/// One URL of a source's crawl frontier: what a run still has to fetch, persisted so that a
/// killed run is finished by the next one without fetching its done pages again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontierEntry {
    /// The URL.
    pub url: String,
    /// What the page is to the source's adapter (`list`, `detail`, `results`, …).
    pub role: String,
    /// The title it was listed under, if any.
    pub title: String,
    /// Whether the list marked it as an award.
    pub award: bool,
}

/// A stored crawl run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    /// Run id.
    pub id: i64,
    /// Source id.
    pub source: String,
    /// Start time.
    pub started_at: DateTime<Utc>,
    /// End time, if finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// `running`, `ok`, `failed` or `unhealthy`.
    pub status: String,
    /// The report as JSON.
    pub report: String,
}

const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    buyer TEXT,
    municipality_code TEXT,
    published TEXT,
    deadline TEXT,
    estimated_price INTEGER,
    amount INTEGER,
    winner TEXT,
    content_hash TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_seq ON records(seq);
CREATE INDEX IF NOT EXISTS records_source ON records(source);
CREATE TABLE IF NOT EXISTS record_history (
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    replaced_at TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (id, version)
);
CREATE TABLE IF NOT EXISTS url_state (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    body_hash TEXT,
    status INTEGER,
    fetched_at TEXT
);
CREATE TABLE IF NOT EXISTS crawl_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    report TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS crawl_runs_source ON crawl_runs(source, id);
CREATE TABLE IF NOT EXISTS frontier (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    url TEXT NOT NULL,
    role TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    award INTEGER NOT NULL DEFAULT 0,
    done INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (source, url)
);
"#;

/// The SQLite store.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the store at `path`, in WAL mode.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path)?;
        Store::init(conn)
    }

    /// An in-memory store, for tests.
    pub fn in_memory() -> Result<Store> {
        Store::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Store> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // WAL keeps readers (the server) and the writer (a crawl) out of each other's way and
        // makes every committed transaction durable across a crash.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.execute_batch(SCHEMA)?;
        let found: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        match found.and_then(|v| v.parse::<i64>().ok()) {
            Some(v) if v > SCHEMA_VERSION => {
                return Err(StoreError::SchemaTooNew {
                    found: v,
                    supported: SCHEMA_VERSION,
                });
            }
            Some(_) => {}
            None => {
                conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?1)",
                    params![SCHEMA_VERSION.to_string()],
                )?;
            }
        }
        Ok(Store { conn })
    }

    /// Inserts or updates a record.
    ///
    /// The store sets `first_seen`, `last_seen`, `updated_at` and `content_hash`. A record whose
    /// content is unchanged only has its `last_seen` moved (and does not take a sequence number);
    /// a changed record keeps its previous version in `record_history`.
    pub fn upsert(&mut self, record: &Record, now: DateTime<Utc>) -> Result<UpsertOutcome> {
        let tx = self.conn.transaction()?;
        let outcome = upsert_in(&tx, record, now)?;
        tx.commit()?;
        Ok(outcome)
    }

    /// Upserts many records in one transaction.
    pub fn upsert_all(
        &mut self,
        records: &[Record],
        now: DateTime<Utc>,
    ) -> Result<Vec<UpsertOutcome>> {
        let tx = self.conn.transaction()?;
        let mut outcomes = Vec::with_capacity(records.len());
        for record in records {
            outcomes.push(upsert_in(&tx, record, now)?);
        }
        tx.commit()?;
        Ok(outcomes)
    }

    /// The current version of a record.
    pub fn get(&self, id: &str) -> Result<Option<Record>> {
        let row: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT id, data FROM records WHERE id = ?1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(id, data)| decode(&id, &data)).transpose()
    }

    /// Earlier versions of a record, oldest first.
    pub fn history(&self, id: &str) -> Result<Vec<Record>> {
        self.query_records(
            "SELECT id, data FROM record_history WHERE id = ?1 ORDER BY version",
            params![id],
        )
    }

    /// Records written after `seq`, in sequence order, at most `limit`.
    pub fn changes_since(&self, seq: u64, limit: usize) -> Result<Vec<Change>> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, id, data FROM records WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
        let rows = stmt.query_map(params![seq as i64, limit as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, id, data) = row?;
            out.push(Change {
                seq: seq as u64,
                record: decode(&id, &data)?,
            });
        }
        Ok(out)
    }

    /// Every record, in the order they were last written, read in pages of `page` records.
    pub fn records(&self, page: usize) -> RecordPages<'_> {
        RecordPages {
            store: self,
            seq: 0,
            page: page.max(1),
            buffer: std::collections::VecDeque::new(),
            done: false,
        }
    }

    /// The highest sequence number written so far (0 for an empty store).
    pub fn max_seq(&self) -> Result<u64> {
        let seq: i64 =
            self.conn
                .query_row("SELECT COALESCE(MAX(seq), 0) FROM records", [], |r| {
                    r.get(0)
                })?;
        Ok(seq as u64)
    }

    /// Number of records.
    pub fn count(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// Number of records per source.
    pub fn count_by_source(&self) -> Result<Vec<(String, u64)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT source, COUNT(*) FROM records GROUP BY source ORDER BY source")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The award record that links to the notice `notice_id`, if any.
    pub fn award_for_notice(&self, notice_id: &str) -> Result<Option<Record>> {
        let row: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT id, data FROM records
                 WHERE kind = 'award' AND json_extract(data, '$.linked_notice.id') = ?1
                 ORDER BY seq DESC LIMIT 1",
                params![notice_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(id, data)| decode(&id, &data)).transpose()
    }

    /// Awards of a source that are not linked to a notice yet.
    pub fn unlinked_awards(&self, source: &str) -> Result<Vec<Record>> {
        self.query_records(
            "SELECT id, data FROM records WHERE source = ?1 AND kind = 'award'
             AND json_extract(data, '$.linked_notice') IS NULL ORDER BY seq",
            params![source],
        )
    }

    /// Notices an award of `source` (for the body `municipality_code`) may result from: the
    /// source's own notices and every notice of the same municipality.
    pub fn linkable_notices(
        &self,
        source: &str,
        municipality_code: Option<&str>,
    ) -> Result<Vec<Record>> {
        self.query_records(
            "SELECT id, data FROM records WHERE kind = 'notice'
             AND (source = ?1 OR (?2 IS NOT NULL AND municipality_code = ?2)) ORDER BY seq",
            params![source, municipality_code],
        )
    }

    fn query_records(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<Record>> {
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map(params, |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, data) = row?;
            out.push(decode(&id, &data)?);
        }
        Ok(out)
    }

    /// Coverage of the common fields among a source's records written or seen since `since`:
    /// `(records, [(field, records that have it)])`.
    pub fn field_coverage(
        &self,
        source: &str,
        since: DateTime<Utc>,
    ) -> Result<(u64, Vec<(&'static str, u64)>)> {
        let row = self.conn.query_row(
            "SELECT COUNT(*), SUM(title <> ''), SUM(buyer IS NOT NULL), SUM(published IS NOT NULL),
                    SUM(deadline IS NOT NULL), SUM(estimated_price IS NOT NULL), SUM(amount IS NOT NULL),
                    SUM(winner IS NOT NULL), SUM(municipality_code IS NOT NULL)
             FROM records WHERE source = ?1 AND last_seen >= ?2",
            params![source, since],
            |r| {
                let mut v = [0i64; 9];
                for (i, slot) in v.iter_mut().enumerate() {
                    *slot = r.get::<_, Option<i64>>(i)?.unwrap_or(0);
                }
                Ok(v)
            },
        )?;
        let names = [
            "title",
            "buyer",
            "published",
            "deadline",
            "estimated_price",
            "amount",
            "winner",
            "municipality_code",
        ];
        let fields = names
            .iter()
            .zip(&row[1..])
            .map(|(n, c)| (*n, *c as u64))
            .collect();
        Ok((row[0] as u64, fields))
    }

    /// Writes a consistent snapshot of the whole store to `path` (which must not exist), while
    /// other connections keep reading and writing (`VACUUM INTO`).
    pub fn backup_to(&self, path: &Path) -> Result<()> {
        self.conn
            .execute("VACUUM INTO ?1", params![path.to_string_lossy()])?;
        Ok(())
    }

    /// The crawl state of a URL.
    pub fn url_state(&self, url: &str) -> Result<Option<UrlState>> {
        Ok(self
            .conn
            .query_row(
                "SELECT url, source, etag, last_modified, body_hash, status, fetched_at
                 FROM url_state WHERE url = ?1",
                params![url],
                |r| {
                    Ok(UrlState {
                        url: r.get(0)?,
                        source: r.get(1)?,
                        etag: r.get(2)?,
                        last_modified: r.get(3)?,
                        body_hash: r.get(4)?,
                        status: r.get::<_, Option<i64>>(5)?.map(|s| s as u16),
                        fetched_at: r.get(6)?,
                    })
                },
            )
            .optional()?)
    }

    /// Records the crawl state of a URL.
    pub fn set_url_state(&mut self, state: &UrlState) -> Result<()> {
        self.conn.execute(
            "INSERT INTO url_state (url, source, etag, last_modified, body_hash, status, fetched_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(url) DO UPDATE SET source = excluded.source, etag = excluded.etag,
               last_modified = excluded.last_modified, body_hash = excluded.body_hash,
               status = excluded.status, fetched_at = excluded.fetched_at",
            params![
                state.url,
                state.source,
                state.etag,
                state.last_modified,
                state.body_hash,
                state.status.map(i64::from),
                state.fetched_at,
            ],
        )?;
        Ok(())
    }

    /// Adds URLs to a source's frontier; URLs already in it (done or not) are left alone.
    /// Returns how many were new.
    pub fn frontier_add(
        &mut self,
        source: &str,
        entries: &[FrontierEntry],
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let tx = self.conn.transaction()?;
        let mut added = 0;
        for e in entries {
            added += tx.execute(
                "INSERT OR IGNORE INTO frontier (source, url, role, title, award, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![source, e.url, e.role, e.title, e.award, now],
            )?;
        }
        tx.commit()?;
        Ok(added)
    }

    /// The next URL of a source's frontier still to fetch, in the order they were added.
    pub fn frontier_next(&self, source: &str) -> Result<Option<FrontierEntry>> {
        Ok(self
            .conn
            .query_row(
                "SELECT url, role, title, award FROM frontier WHERE source = ?1 AND done = 0 ORDER BY seq LIMIT 1",
                params![source],
                |r| Ok(FrontierEntry { url: r.get(0)?, role: r.get(1)?, title: r.get(2)?, award: r.get(3)? }),
            )
            .optional()?)
    }

    /// Marks a frontier URL as done.
    pub fn frontier_done(&mut self, source: &str, url: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE frontier SET done = 1 WHERE source = ?1 AND url = ?2",
            params![source, url],
        )?;
        Ok(())
    }

    /// Counts of a source's frontier: (done, pending).
    pub fn frontier_counts(&self, source: &str) -> Result<(u64, u64)> {
        let (done, pending): (i64, i64) = self.conn.query_row(
            "SELECT COALESCE(SUM(done), 0), COALESCE(SUM(1 - done), 0) FROM frontier WHERE source = ?1",
            params![source],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((done as u64, pending as u64))
    }

    /// Empties a source's frontier (its run is complete, or too old to resume).
    pub fn frontier_clear(&mut self, source: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM frontier WHERE source = ?1", params![source])?;
        Ok(())
    }

    /// When the oldest entry of a source's frontier was added, if it has any.
    pub fn frontier_started(&self, source: &str) -> Result<Option<DateTime<Utc>>> {
        Ok(self
            .conn
            .query_row(
                "SELECT MIN(created_at) FROM frontier WHERE source = ?1",
                params![source],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// Marks runs of a source left `running` by a killed process as `interrupted`.
    pub fn interrupt_stale_runs(&mut self, source: &str) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE crawl_runs SET status = 'interrupted' WHERE source = ?1 AND status = 'running'",
            params![source],
        )?)
    }

    /// Starts a crawl run for a source; returns its id.
    pub fn start_run(&mut self, source: &str, now: DateTime<Utc>) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO crawl_runs (source, started_at, status) VALUES (?1, ?2, 'running')",
            params![source, now],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Finishes a crawl run with its status and JSON report.
    pub fn finish_run(
        &mut self,
        run: i64,
        status: &str,
        report: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE crawl_runs SET finished_at = ?2, status = ?3, report = ?4 WHERE id = ?1",
            params![run, now, status, report],
        )?;
        Ok(())
    }

    /// The newest run of every source that has run, by source id.
    pub fn latest_runs(&self) -> Result<Vec<RunRow>> {
        self.query_runs(
            "WHERE id IN (SELECT MAX(id) FROM crawl_runs GROUP BY source) ORDER BY source",
            [],
        )
    }

    /// The most recent runs of a source, newest first.
    pub fn recent_runs(&self, source: &str, limit: usize) -> Result<Vec<RunRow>> {
        self.query_runs(
            "WHERE source = ?1 ORDER BY id DESC LIMIT ?2",
            params![source, limit as i64],
        )
    }

    fn query_runs(&self, filter: &str, params: impl rusqlite::Params) -> Result<Vec<RunRow>> {
        let sql = format!(
            "SELECT id, source, started_at, finished_at, status, report FROM crawl_runs {filter}"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params, |r| {
            Ok(RunRow {
                id: r.get(0)?,
                source: r.get(1)?,
                started_at: r.get(2)?,
                finished_at: r.get(3)?,
                status: r.get(4)?,
                report: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Iterator over every record of a store, page by page (see [`Store::records`]).
pub struct RecordPages<'a> {
    store: &'a Store,
    seq: u64,
    page: usize,
    buffer: std::collections::VecDeque<Change>,
    done: bool,
}

impl Iterator for RecordPages<'_> {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Result<Record>> {
        if self.buffer.is_empty() && !self.done {
            match self.store.changes_since(self.seq, self.page) {
                Ok(changes) => {
                    self.done = changes.len() < self.page;
                    self.buffer.extend(changes);
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
        let change = self.buffer.pop_front()?;
        self.seq = change.seq;
        Some(Ok(change.record))
    }
}

fn upsert_in(
    tx: &rusqlite::Transaction<'_>,
    record: &Record,
    now: DateTime<Utc>,
) -> Result<UpsertOutcome> {
    let hash = content_hash(record)?;
    let existing: Option<(String, DateTime<Utc>, i64, String)> = tx
        .query_row(
            "SELECT content_hash, first_seen, version, data FROM records WHERE id = ?1",
            params![record.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    if let Some((old_hash, _, _, _)) = &existing
        && *old_hash == hash
    {
        tx.execute(
            "UPDATE records SET last_seen = ?2 WHERE id = ?1",
            params![record.id, now],
        )?;
        return Ok(UpsertOutcome::Unchanged);
    }
    let seq = next_seq(tx)?;
    let mut stored = record.clone();
    stored.content_hash = hash.clone();
    stored.last_seen = now;
    stored.updated_at = now;
    let (outcome, version) = match &existing {
        Some((old_hash, first_seen, version, old_data)) => {
            tx.execute(
                "INSERT OR REPLACE INTO record_history (id, version, content_hash, replaced_at, data)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![record.id, version, old_hash, now, old_data],
            )?;
            stored.first_seen = *first_seen;
            (UpsertOutcome::Changed, version + 1)
        }
        None => {
            stored.first_seen = now;
            (UpsertOutcome::New, 1)
        }
    };
    let data = serde_json::to_string(&stored).map_err(|source| StoreError::Serialize {
        id: record.id.clone(),
        source,
    })?;
    tx.execute(
        "INSERT INTO records (id, kind, source, url, title, buyer, municipality_code, published,
            deadline, estimated_price, amount, winner, content_hash, first_seen, last_seen,
            updated_at, version, seq, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
         ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, source = excluded.source,
            url = excluded.url, title = excluded.title, buyer = excluded.buyer,
            municipality_code = excluded.municipality_code, published = excluded.published,
            deadline = excluded.deadline, estimated_price = excluded.estimated_price,
            amount = excluded.amount, winner = excluded.winner,
            content_hash = excluded.content_hash, last_seen = excluded.last_seen,
            updated_at = excluded.updated_at, version = excluded.version, seq = excluded.seq,
            data = excluded.data",
        params![
            stored.id,
            stored.kind.as_str(),
            stored.source,
            stored.url,
            stored.title,
            stored.buyer,
            stored.municipality_code,
            stored.published.as_ref().map(|w| w.date.to_string()),
            stored.deadline.as_ref().map(|w| w.date.to_string()),
            stored.estimated_price.as_ref().map(|m| m.yen as i64),
            stored.amount.as_ref().map(|m| m.yen as i64),
            stored.winner,
            hash,
            stored.first_seen,
            stored.last_seen,
            stored.updated_at,
            version,
            seq as i64,
            data,
        ],
    )?;
    Ok(outcome)
}

fn next_seq(tx: &rusqlite::Transaction<'_>) -> Result<u64> {
    let current: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = 'seq'", [], |r| r.get(0))
        .optional()?;
    let next = current.and_then(|v| v.parse::<u64>().ok()).unwrap_or(0) + 1;
    tx.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('seq', ?1)",
        params![next.to_string()],
    )?;
    Ok(next)
}

/// SHA-256 over the record's content: everything except the store-managed timestamps and hash.
pub fn content_hash(record: &Record) -> Result<String> {
    let mut content = record.clone();
    content.first_seen = DateTime::<Utc>::UNIX_EPOCH;
    content.last_seen = DateTime::<Utc>::UNIX_EPOCH;
    content.updated_at = DateTime::<Utc>::UNIX_EPOCH;
    content.content_hash = String::new();
    let json = serde_json::to_vec(&content).map_err(|source| StoreError::Serialize {
        id: record.id.clone(),
        source,
    })?;
    Ok(hex::encode(Sha256::digest(&json)))
}

fn decode(id: &str, data: &str) -> Result<Record> {
    serde_json::from_str(data).map_err(|source| StoreError::Corrupt {
        id: id.to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Kind, Money, Tax};
    use chrono::TimeZone;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 21, h, 0, 0)
            .single()
            .unwrap()
    }

    fn notice(id: &str, title: &str) -> Record {
        Record::new(
            id,
            Kind::Notice,
            "test",
            format!("http://127.0.0.1/{id}"),
            title,
        )
    }

    #[test]
    fn new_changed_unchanged_with_history() {
        let mut store = Store::in_memory().unwrap();
        let mut r = notice("test:1", "学校給食調理業務委託");
        assert_eq!(store.upsert(&r, t(1)).unwrap(), UpsertOutcome::New);
        assert_eq!(store.upsert(&r, t(2)).unwrap(), UpsertOutcome::Unchanged);
        let stored = store.get("test:1").unwrap().unwrap();
        assert_eq!(stored.first_seen, t(1));
        assert_eq!(stored.updated_at, t(1));

        r.estimated_price = Some(Money {
            yen: 3_200_000,
            tax: Tax::Excluded,
            raw: "3,200,000円（税抜）".into(),
        });
        assert_eq!(store.upsert(&r, t(3)).unwrap(), UpsertOutcome::Changed);
        let stored = store.get("test:1").unwrap().unwrap();
        assert_eq!(stored.first_seen, t(1));
        assert_eq!(stored.updated_at, t(3));
        assert_eq!(
            stored.estimated_price.as_ref().map(|m| m.yen),
            Some(3_200_000)
        );
        let history = store.history("test:1").unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].estimated_price, None);
        assert_eq!(store.count().unwrap(), 1);
    }

    #[test]
    fn changes_follow_sequence() {
        let mut store = Store::in_memory().unwrap();
        store.upsert(&notice("a", "一"), t(1)).unwrap();
        store.upsert(&notice("b", "二"), t(1)).unwrap();
        let all = store.changes_since(0, 10).unwrap();
        assert_eq!(
            all.iter().map(|c| c.record.id.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        let after_first = store.changes_since(all[0].seq, 10).unwrap();
        assert_eq!(after_first.len(), 1);
        // An unchanged upsert takes no sequence number; a change moves the record to the end.
        store.upsert(&notice("a", "一"), t(2)).unwrap();
        assert_eq!(store.max_seq().unwrap(), all[1].seq);
        store.upsert(&notice("a", "一改"), t(2)).unwrap();
        let tail = store.changes_since(all[1].seq, 10).unwrap();
        assert_eq!(tail.len(), 1);
        assert_eq!(tail[0].record.title, "一改");
    }

    #[test]
    fn url_state_round_trip_and_runs() {
        let mut store = Store::in_memory().unwrap();
        let state = UrlState {
            url: "http://127.0.0.1/x".into(),
            source: "s".into(),
            etag: Some("\"abc\"".into()),
            last_modified: None,
            body_hash: Some("00".into()),
            status: Some(200),
            fetched_at: Some(t(4)),
        };
        store.set_url_state(&state).unwrap();
        assert_eq!(store.url_state("http://127.0.0.1/x").unwrap(), Some(state));
        let run = store.start_run("s", t(1)).unwrap();
        store.finish_run(run, "ok", "{\"pages\":3}", t(2)).unwrap();
        let runs = store.recent_runs("s", 5).unwrap();
        assert_eq!(runs.len(), 1);
        let second = store.start_run("s", t(3)).unwrap();
        store.start_run("other", t(3)).unwrap();
        let latest = store.latest_runs().unwrap();
        assert_eq!(
            latest
                .iter()
                .map(|r| (r.source.as_str(), r.id))
                .collect::<Vec<_>>(),
            [("other", second + 1), ("s", second)]
        );
        assert_eq!(runs[0].status, "ok");
        assert_eq!(runs[0].finished_at, Some(t(2)));
    }

    #[test]
    fn frontier_survives_and_resumes_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let entry = |u: &str, role: &str| FrontierEntry {
            url: u.into(),
            role: role.into(),
            title: String::new(),
            award: false,
        };
        {
            let mut store = Store::open(&path).unwrap();
            assert_eq!(
                store
                    .frontier_add("s", &[entry("l1", "list"), entry("d1", "detail")], t(1))
                    .unwrap(),
                2
            );
            // Re-adding a known URL (e.g. a list page linked from every page) does nothing.
            assert_eq!(
                store
                    .frontier_add("s", &[entry("l1", "list"), entry("d2", "detail")], t(1))
                    .unwrap(),
                1
            );
            store.frontier_done("s", "l1").unwrap();
        }
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.frontier_counts("s").unwrap(), (1, 2));
        assert_eq!(
            store.frontier_next("s").unwrap().map(|e| e.url),
            Some("d1".into())
        );
        assert_eq!(store.frontier_started("s").unwrap(), Some(t(1)));
        store.frontier_done("s", "d1").unwrap();
        store.frontier_done("s", "d2").unwrap();
        assert_eq!(store.frontier_next("s").unwrap(), None);
        store.frontier_clear("s").unwrap();
        assert_eq!(store.frontier_counts("s").unwrap(), (0, 0));
        assert_eq!(store.frontier_started("s").unwrap(), None);
    }

    #[test]
    fn unlinked_awards_and_linkable_notices() {
        let mut store = Store::in_memory().unwrap();
        let mut n = notice("s:n1", "庁舎清掃業務");
        n.municipality_code = Some("362077".into());
        let mut other = Record::new(
            "o:n2",
            Kind::Notice,
            "other",
            "http://127.0.0.1/o",
            "庁舎警備業務",
        );
        other.municipality_code = Some("362077".into());
        let far = Record::new(
            "o:n3",
            Kind::Notice,
            "other",
            "http://127.0.0.1/f",
            "道路補修工事",
        );
        let mut award = Record::new(
            "s:a1",
            Kind::Award,
            "s",
            "http://127.0.0.1/a",
            "庁舎清掃業務",
        );
        store
            .upsert_all(&[n, other, far, award.clone()], t(1))
            .unwrap();
        assert_eq!(store.unlinked_awards("s").unwrap().len(), 1);
        let ids: Vec<String> = store
            .linkable_notices("s", Some("362077"))
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(ids, ["s:n1", "o:n2"]);
        award.linked_notice = Some(crate::record::Link {
            id: "s:n1".into(),
            evidence: "test".into(),
        });
        store.upsert(&award, t(2)).unwrap();
        assert!(store.unlinked_awards("s").unwrap().is_empty());
        assert_eq!(
            store.award_for_notice("s:n1").unwrap().map(|r| r.id),
            Some("s:a1".into())
        );
    }

    #[test]
    fn records_are_read_page_by_page() {
        let mut store = Store::in_memory().unwrap();
        for i in 0..7 {
            store
                .upsert(&notice(&format!("r{i}"), "清掃"), t(1))
                .unwrap();
        }
        let ids: Vec<String> = store.records(3).map(|r| r.unwrap().id).collect();
        assert_eq!(ids, ["r0", "r1", "r2", "r3", "r4", "r5", "r6"]);
        assert_eq!(Store::in_memory().unwrap().records(3).count(), 0);
    }

    #[test]
    fn backup_is_a_complete_store() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("live.sqlite")).unwrap();
        store
            .upsert(&notice("a", "学校給食調理業務委託"), t(1))
            .unwrap();
        store
            .upsert(&notice("a", "学校給食調理業務委託(再公告)"), t(2))
            .unwrap();
        let copy = dir.path().join("backup.sqlite");
        store.backup_to(&copy).unwrap();
        let restored = Store::open(&copy).unwrap();
        assert_eq!(
            restored.get("a").unwrap().map(|r| r.title),
            Some("学校給食調理業務委託(再公告)".into())
        );
        assert_eq!(restored.history("a").unwrap().len(), 1);
        assert!(
            store.backup_to(&copy).is_err(),
            "an existing file is never overwritten"
        );
    }

    #[test]
    fn reopening_a_file_keeps_everything() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tenders.sqlite");
        {
            let mut store = Store::open(&path).unwrap();
            store.upsert(&notice("x", "庁舎清掃業務"), t(1)).unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.get("x").unwrap().map(|r| r.title),
            Some("庁舎清掃業務".to_string())
        );
    }
}
