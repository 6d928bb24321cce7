//! Keeps the index in step with the store.
//!
//! The index remembers, in its commit payload, the store sequence number it has applied up to.
//! [`sync`] applies the changes after it in batches, one commit per batch, so a kill during
//! indexing leaves the last committed batch searchable and the next run continues from there.

use crate::index::{Index, IndexError};
use crate::store::{Store, StoreError};

/// Records applied per commit.
pub const BATCH: usize = 2_000;

/// Errors while syncing.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing the index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// What a sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Records (re)indexed.
    pub applied: u64,
    /// Commits made.
    pub commits: u64,
    /// Documents in the index afterwards.
    pub documents: u64,
}

/// Applies every store change the index has not seen yet.
pub fn sync(store: &Store, index: &Index) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
    let mut seq = index.committed_seq()?;
    loop {
        let changes = store.changes_since(seq, BATCH)?;
        let Some(last) = changes.last() else { break };
        let up_to = last.seq;
        let records: Vec<_> = changes.into_iter().map(|c| c.record).collect();
        index.apply(&records, up_to)?;
        report.applied += records.len() as u64;
        report.commits += 1;
        seq = up_to;
    }
    report.documents = index.num_docs();
    Ok(report)
}

/// Empties the index and indexes the whole store again.
pub fn rebuild(store: &Store, index: &Index) -> Result<SyncReport, SyncError> {
    index.clear()?;
    sync(store, index)
}
