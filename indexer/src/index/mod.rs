//! The search index: tantivy, derived from the store, with Japanese analysis.
//!
//! - [`normalize`]: NFKC, width and case folding, iteration marks, with an offset map back to
//!   the original text.
//! - [`morph`]: the morphological analyzer (lindera IPADIC behind our own tantivy adapter).
//! - [`bigram`]: the CJK bigram analyzer with real positions (the recall field).
//! - [`schema`]: the tantivy schema, the one analyzer registration, record → document.
//! - [`query`]: the query syntax and the queries we build from it.
//! - [`search`]: the typed read side, [`SearchRequest`] → [`SearchResponse`], with facets.
//! - [`snippet`]: highlighted, HTML-escaped snippets.
//! - [`stats`]: award statistics.
//! - `status`: open or closed at query time, as collectors.
//! - [`sync`]: following the store incrementally, and rebuilding from it.
//!
//! The index follows the store: [`Index::apply`] upserts a batch of records in one commit whose
//! payload records the store sequence number it has caught up to ([`Index::committed_seq`]), so a
//! process killed while indexing leaves the last commit searchable and the next run resumes
//! from its watermark.

pub mod bigram;
pub mod morph;
pub mod normalize;
pub mod query;
pub mod schema;
pub mod search;
pub mod snippet;
pub mod stats;
mod status;
pub mod sync;
mod token_stream;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use tantivy::directory::MmapDirectory;
use tantivy::query::AllQuery;
use tantivy::{IndexReader, IndexWriter, ReloadPolicy, Term};

use crate::record::Record;
use schema::{Fields, SCHEMA_VERSION, build_schema, record_to_document, register_analyzers};

pub use search::{FacetCount, Facets, Hit, SearchRequest, SearchResponse, Sort, Status};
pub use stats::{AwardStats, GroupBy, Period, StatGroup};
pub use sync::{DEFAULT_BATCH, SyncReport};

/// Memory budget of the index writer (split across its threads). Memory is taken as documents
/// arrive, so small batches use little; a large load gets large segments, hence few merges.
const WRITER_MEMORY_BYTES: usize = 400_000_000;

/// Most threads a single search uses.
const SEARCH_THREADS: usize = 4;

/// Errors of the index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The search engine failed (I/O, corrupt segment, lock held by another process, …).
    #[error("search index error: {0}")]
    Engine(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The index directory cannot be opened or created.
    #[error("cannot open index directory {path}: {reason}")]
    Directory {
        /// The directory.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The Japanese dictionary cannot be loaded.
    #[error("Japanese analysis unavailable: {0}")]
    Dictionary(String),
    /// The index was written by a different schema or analysis version and must be rebuilt.
    #[error(
        "index schema version {found} differs from {expected}: rebuild the index (tenders index --rebuild)"
    )]
    SchemaVersion {
        /// Version found in the commit payload.
        found: u32,
        /// Version this build writes.
        expected: u32,
    },
    /// Another process (or handle) holds the index writer: one writer per index.
    #[error(
        "the index is being written by another process (is `tenders run` or another `tenders index` running on this data directory?)"
    )]
    WriterBusy,
    /// The store could not be read while catching up.
    #[error("cannot read the store: {0}")]
    Store(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A stored document or the commit payload cannot be read.
    #[error("corrupt index data: {0}")]
    Corrupt(String),
}

impl From<tantivy::TantivyError> for IndexError {
    fn from(e: tantivy::TantivyError) -> IndexError {
        match e {
            tantivy::TantivyError::LockFailure(
                tantivy::directory::error::LockError::LockBusy,
                _,
            ) => IndexError::WriterBusy,
            e => IndexError::Engine(Box::new(e)),
        }
    }
}

/// What each commit records besides the documents.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct CommitPayload {
    /// The store sequence number the index has caught up to.
    seq: u64,
    /// [`SCHEMA_VERSION`] of the writer.
    schema: u32,
}

struct Inner {
    index: tantivy::Index,
    reader: IndexReader,
    fields: Fields,
    /// Created on the first write and kept: tantivy allows one writer per index.
    writer: Mutex<Option<IndexWriter>>,
}

/// The writer in its slot, which [`Index::writer`] fills (only [`Index::close_writer`] empties it).
fn held(slot: &mut Option<IndexWriter>) -> Result<&mut IndexWriter, IndexError> {
    slot.as_mut()
        .ok_or_else(|| IndexError::Corrupt("index writer missing".to_string()))
}

/// A handle on the index; cheap to clone and shareable across threads.
#[derive(Clone)]
pub struct Index {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("num_docs", &self.num_docs())
            .finish()
    }
}

impl Index {
    /// Opens the index in `dir`, creating the directory and an empty index if needed.
    pub fn open_or_create(dir: &Path) -> Result<Index, IndexError> {
        let dir_error = |reason: String| IndexError::Directory {
            path: dir.to_path_buf(),
            reason,
        };
        std::fs::create_dir_all(dir).map_err(|e| dir_error(e.to_string()))?;
        let directory = MmapDirectory::open(dir).map_err(|e| dir_error(e.to_string()))?;
        let (schema, fields) = build_schema();
        let index = tantivy::Index::open_or_create(directory, schema)?;
        Index::from_tantivy(index, fields)
    }

    /// Creates an empty index in memory (for tests and benchmarks).
    pub fn in_memory() -> Result<Index, IndexError> {
        let (schema, fields) = build_schema();
        Index::from_tantivy(tantivy::Index::create_in_ram(schema), fields)
    }

    fn from_tantivy(mut index: tantivy::Index, fields: Fields) -> Result<Index, IndexError> {
        register_analyzers(&index)?;
        // Searches collect the segments in parallel, one thread per core (at most
        // [`SEARCH_THREADS`]): a large index has several segments, and a query's facet counts
        // cost as much as its hits.
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(SEARCH_THREADS);
        if threads > 1 {
            index.set_multithread_executor(threads)?;
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        let this = Index {
            inner: Arc::new(Inner {
                index,
                reader,
                fields,
                writer: Mutex::new(None),
            }),
        };
        if let Some(payload) = this.payload()?
            && payload.schema != SCHEMA_VERSION
        {
            return Err(IndexError::SchemaVersion {
                found: payload.schema,
                expected: SCHEMA_VERSION,
            });
        }
        Ok(this)
    }

    fn payload(&self) -> Result<Option<CommitPayload>, IndexError> {
        let metas = self.inner.index.load_metas()?;
        match metas.payload {
            None => Ok(None),
            Some(p) => serde_json::from_str(&p)
                .map(Some)
                .map_err(|e| IndexError::Corrupt(format!("commit payload {p:?}: {e}"))),
        }
    }

    /// The store sequence number that the last commit caught up to (0 for a new index).
    pub fn committed_seq(&self) -> Result<u64, IndexError> {
        Ok(self.payload()?.map_or(0, |p| p.seq))
    }

    fn writer(&self) -> Result<MutexGuard<'_, Option<IndexWriter>>, IndexError> {
        let mut guard = self
            .inner
            .writer
            .lock()
            .map_err(|_| IndexError::Corrupt("index writer lock poisoned".to_string()))?;
        if guard.is_none() {
            *guard = Some(self.inner.index.writer(WRITER_MEMORY_BYTES)?);
        }
        Ok(guard)
    }

    fn commit(&self, writer: &mut IndexWriter, seq: u64) -> Result<(), IndexError> {
        let payload = serde_json::to_string(&CommitPayload {
            seq,
            schema: SCHEMA_VERSION,
        })
        .map_err(|e| IndexError::Corrupt(e.to_string()))?;
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.inner.reader.reload()?;
        Ok(())
    }

    /// Upserts `records` (replacing any document with the same id) in one commit that records
    /// `up_to_seq` as the new watermark. Results are visible to searches when this returns.
    pub fn apply(&self, records: &[Record], up_to_seq: u64) -> Result<(), IndexError> {
        self.apply_batch(records, up_to_seq, None)
    }

    /// [`Index::apply`], except that with `fresh` (a load into an index that held no document
    /// when it began) ids are checked against the ids this load added instead of being deleted
    /// from the index: deleting costs a term lookup per record in every segment at each commit,
    /// which grows with the index.
    fn apply_batch(
        &self,
        records: &[Record],
        up_to_seq: u64,
        fresh: Option<&mut AddedIds>,
    ) -> Result<(), IndexError> {
        let mut guard = self.writer()?;
        let writer = held(&mut guard)?;
        self.add_records(writer, records, fresh)?;
        self.commit(writer, up_to_seq)
    }

    /// Adds the documents of `records` to the writer, replacing earlier documents with the same
    /// id: all of them when `fresh` is `None`, else only those this load added.
    fn add_records(
        &self,
        writer: &IndexWriter,
        records: &[Record],
        mut fresh: Option<&mut AddedIds>,
    ) -> Result<(), IndexError> {
        let f = &self.inner.fields;
        for r in records {
            let replace = match fresh.as_deref_mut() {
                None => true,
                Some(added) => !added.insert(&r.id),
            };
            if replace {
                // Removes documents added before this one (lower opstamps) only.
                writer.delete_term(Term::from_field_text(f.id, &r.id));
            }
            writer.add_document(record_to_document(f, r)?)?;
        }
        Ok(())
    }

    /// Starts replacing the whole content of the index (a rebuild): see [`BulkLoad`].
    pub fn bulk_load(&self) -> Result<BulkLoad<'_>, IndexError> {
        let mut guard = self.writer()?;
        let writer = held(&mut guard)?;
        // Deletes apply to documents added before them: this removes the current content at
        // the commit and leaves the documents of the load alone.
        writer.delete_query(Box::new(AllQuery))?;
        Ok(BulkLoad {
            index: self,
            guard,
            added: AddedIds::default(),
            committed: false,
        })
    }

    /// Deletes the documents with the given ids, in one commit recording `up_to_seq`.
    pub fn delete(&self, ids: &[String], up_to_seq: u64) -> Result<(), IndexError> {
        let mut guard = self.writer()?;
        let writer = held(&mut guard)?;
        for id in ids {
            writer.delete_term(Term::from_field_text(self.inner.fields.id, id));
        }
        self.commit(writer, up_to_seq)
    }

    /// Number of searchable documents.
    pub fn num_docs(&self) -> u64 {
        self.inner.reader.searcher().num_docs()
    }

    /// Number of segments searched (for benchmarks and metrics).
    pub fn num_segments(&self) -> usize {
        self.inner.reader.searcher().segment_readers().len()
    }

    /// Blocks until pending merges finish and releases the writer (and its lock on the
    /// directory). The next write creates a new one.
    pub fn close_writer(&self) -> Result<(), IndexError> {
        let mut guard = self
            .inner
            .writer
            .lock()
            .map_err(|_| IndexError::Corrupt("index writer lock poisoned".to_string()))?;
        if let Some(writer) = guard.take() {
            writer.wait_merging_threads()?;
        }
        Ok(())
    }
}

/// The ids a load into an empty index has added, as 64-bit hashes: a collision only costs an
/// unneeded delete (which removes nothing, or an earlier copy of the same id).
#[derive(Debug, Default)]
pub(crate) struct AddedIds(std::collections::HashSet<u64>);

impl AddedIds {
    /// Records `id`; false when it (or an id with the same hash) was added before.
    fn insert(&mut self, id: &str) -> bool {
        use std::hash::{BuildHasher, BuildHasherDefault};
        let hash =
            BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(id);
        self.0.insert(hash)
    }
}

/// A rebuild in progress, from [`Index::bulk_load`]: documents are added without touching the
/// searchable index, which keeps serving its current content until [`BulkLoad::commit`] swaps
/// in the new content in one commit. Dropping the load without committing, or a process killed
/// before the commit, leaves the index as it was. The index writer is held (and other writes
/// wait) until then.
pub struct BulkLoad<'a> {
    index: &'a Index,
    guard: MutexGuard<'a, Option<IndexWriter>>,
    added: AddedIds,
    committed: bool,
}

impl std::fmt::Debug for BulkLoad<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BulkLoad")
            .field("added", &self.added.0.len())
            .finish()
    }
}

impl BulkLoad<'_> {
    /// Adds a batch of records. An id added twice keeps its last record.
    pub fn add(&mut self, records: &[Record]) -> Result<(), IndexError> {
        let writer = held(&mut self.guard)?;
        self.index
            .add_records(writer, records, Some(&mut self.added))
    }

    /// Replaces the content of the index by the records added, in one commit recording
    /// `up_to_seq` as the watermark.
    pub fn commit(mut self, up_to_seq: u64) -> Result<(), IndexError> {
        let writer = held(&mut self.guard)?;
        self.index.commit(writer, up_to_seq)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for BulkLoad<'_> {
    fn drop(&mut self) {
        if !self.committed
            && let Some(writer) = self.guard.as_mut()
        {
            // Discards the documents added and the pending delete of the old content.
            if let Err(e) = writer.rollback() {
                tracing::warn!("cannot roll back an abandoned index rebuild: {e}");
                *self.guard = None;
            }
        }
    }
}

#[cfg(test)]
mod relevance_tests;
#[cfg(test)]
pub(crate) mod synthetic;
#[cfg(test)]
pub(crate) mod testutil;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::record::Kind;

    #[test]
    fn test_apply_twice_has_no_duplicates() {
        let index = Index::in_memory().unwrap();
        let mut r = Record::new(
            "t:1",
            Kind::Notice,
            "t",
            "http://127.0.0.1/1",
            "学校給食調理業務委託",
        );
        index.apply(std::slice::from_ref(&r), 1).unwrap();
        r.title = "学校給食配送業務委託".to_string();
        index.apply(&[r.clone(), r], 2).unwrap();
        assert_eq!(index.num_docs(), 1);
        assert_eq!(index.committed_seq().unwrap(), 2);
    }

    #[test]
    fn test_committed_seq_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let index = Index::open_or_create(dir.path()).unwrap();
            assert_eq!(index.committed_seq().unwrap(), 0);
            let r = Record::new(
                "t:1",
                Kind::Notice,
                "t",
                "http://127.0.0.1/1",
                "道路補修工事",
            );
            index.apply(&[r], 42).unwrap();
            index.close_writer().unwrap();
        }
        let index = Index::open_or_create(dir.path()).unwrap();
        assert_eq!(index.committed_seq().unwrap(), 42);
        assert_eq!(index.num_docs(), 1);
    }

    fn rec(id: &str, title: &str) -> Record {
        Record::new(id, Kind::Notice, "t", "http://127.0.0.1/r", title)
    }

    fn ids(index: &Index, q: &str) -> Vec<String> {
        let today = chrono::NaiveDate::from_ymd_opt(2025, 4, 1).unwrap();
        let mut ids: Vec<String> = index
            .search(&crate::index::SearchRequest::text(q), today)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn test_a_second_writer_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let first = Index::open_or_create(dir.path()).unwrap();
        first.apply(&[rec("t:a", "庁舎清掃業務")], 1).unwrap();
        // A second handle (as another process would open it) can read but not write.
        let second = Index::open_or_create(dir.path()).unwrap();
        assert_eq!(second.num_docs(), 1);
        let err = second.apply(&[rec("t:b", "道路補修工事")], 2).unwrap_err();
        assert!(matches!(err, IndexError::WriterBusy), "{err}");
        assert!(err.to_string().contains("another process"), "{err}");
        assert!(second.bulk_load().is_err());
        // Once the first lets go, the second can write.
        first.close_writer().unwrap();
        second.apply(&[rec("t:b", "道路補修工事")], 2).unwrap();
        assert_eq!(second.num_docs(), 2);
    }

    #[test]
    fn test_delete() {
        let index = Index::in_memory().unwrap();
        let a = rec("t:a", "庁舎清掃業務");
        let b = rec("t:b", "庁舎警備業務");
        index.apply(&[a, b], 5).unwrap();
        index.delete(&["t:a".to_string()], 6).unwrap();
        assert_eq!(index.num_docs(), 1);
        assert_eq!(ids(&index, "庁舎"), ["t:b"]);
        assert_eq!(index.committed_seq().unwrap(), 6);
    }

    #[test]
    fn test_bulk_load_replaces_everything_in_one_commit() {
        let index = Index::in_memory().unwrap();
        index
            .apply(&[rec("t:a", "庁舎清掃業務"), rec("t:b", "庁舎警備業務")], 5)
            .unwrap();
        let mut load = index.bulk_load().unwrap();
        load.add(&[
            rec("t:b", "学校給食調理業務"),
            rec("t:c", "学校給食配送業務"),
        ])
        .unwrap();
        // The same id twice in one load keeps the last version only.
        load.add(&[rec("t:c", "学校給食配送業務委託")]).unwrap();
        // Until the commit, searches see the old content.
        assert_eq!(ids(&index, "庁舎"), ["t:a", "t:b"]);
        load.commit(9).unwrap();
        assert_eq!(index.num_docs(), 2);
        assert_eq!(ids(&index, "庁舎"), Vec::<String>::new());
        assert_eq!(ids(&index, "給食"), ["t:b", "t:c"]);
        assert_eq!(index.committed_seq().unwrap(), 9);
        // The index takes ordinary upserts afterwards.
        index.apply(&[rec("t:d", "庁舎清掃業務")], 10).unwrap();
        assert_eq!(index.num_docs(), 3);
    }

    #[test]
    fn test_abandoned_bulk_load_leaves_the_index_as_it_was() {
        let index = Index::in_memory().unwrap();
        index.apply(&[rec("t:a", "庁舎清掃業務")], 5).unwrap();
        {
            let mut load = index.bulk_load().unwrap();
            load.add(&[rec("t:b", "学校給食調理業務")]).unwrap();
        }
        assert_eq!(ids(&index, "庁舎"), ["t:a"]);
        assert_eq!(index.committed_seq().unwrap(), 5);
        // Nothing of the abandoned load comes back with a later commit.
        index.apply(&[rec("t:c", "道路補修工事")], 6).unwrap();
        assert_eq!(index.num_docs(), 2);
        assert!(ids(&index, "給食").is_empty());
    }

    #[test]
    fn test_fresh_batches_replace_an_id_added_twice() {
        let index = Index::in_memory().unwrap();
        let mut added = AddedIds::default();
        index
            .apply_batch(&[rec("t:a", "庁舎清掃業務")], 1, Some(&mut added))
            .unwrap();
        index
            .apply_batch(&[rec("t:a", "学校給食調理業務")], 2, Some(&mut added))
            .unwrap();
        assert_eq!(index.num_docs(), 1);
        assert_eq!(ids(&index, "給食"), ["t:a"]);
    }
}
