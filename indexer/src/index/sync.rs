//! Keeping the index in step with the store.
//!
//! [`Index::catch_up`] reads the store's changes after the index's committed watermark in
//! batches and applies each batch in one commit whose payload records the batch's last sequence
//! number. A process killed midway leaves the last committed batch searchable; the next call
//! resumes from there. [`Index::rebuild`] reads the whole store into a [`BulkLoad`](super::BulkLoad)
//! and replaces the content of the index in one commit: it gives the same documents as
//! incremental indexing, searches see the old content until it is done, and a kill during a
//! rebuild leaves the old content in place.

use crate::record::Record;
use crate::store::Store;

use super::{AddedIds, Index, IndexError};

/// Default number of records per commit.
pub const DEFAULT_BATCH: usize = 5_000;

/// What a catch-up did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Records (re)indexed.
    pub applied: u64,
    /// Commits made.
    pub commits: u64,
    /// The watermark after the catch-up.
    pub committed_seq: u64,
}

/// The next `batch` records changed after `seq`, with the sequence number of the last one
/// (`None` when there is none).
fn next_batch(
    store: &Store,
    seq: u64,
    batch: usize,
) -> Result<Option<(Vec<Record>, u64)>, IndexError> {
    let changes = store
        .changes_since(seq, batch)
        .map_err(|e| IndexError::Store(Box::new(e)))?;
    let Some(last) = changes.last().map(|c| c.seq) else {
        return Ok(None);
    };
    Ok(Some((
        changes.into_iter().map(|c| c.record).collect(),
        last,
    )))
}

impl Index {
    /// Applies every store change after [`Index::committed_seq`], `batch` records per commit.
    pub fn catch_up(&self, store: &Store, batch: usize) -> Result<SyncReport, IndexError> {
        let batch = batch.max(1);
        let mut report = SyncReport {
            committed_seq: self.committed_seq()?,
            ..SyncReport::default()
        };
        // Into an empty index (a first indexing, or after a restore) nothing needs replacing
        // but the records this catch-up itself adds twice (changed while it reads the store).
        let mut fresh = (self.num_docs() == 0).then(AddedIds::default);
        while let Some((records, last)) = next_batch(store, report.committed_seq, batch)? {
            self.apply_batch(&records, last, fresh.as_mut())?;
            report.applied += records.len() as u64;
            report.commits += 1;
            report.committed_seq = last;
        }
        Ok(report)
    }

    /// Indexes the whole store again, reading it `batch` records at a time, and replaces the
    /// content of the index in one commit.
    pub fn rebuild(&self, store: &Store, batch: usize) -> Result<SyncReport, IndexError> {
        let batch = batch.max(1);
        let mut load = self.bulk_load()?;
        let mut report = SyncReport::default();
        while let Some((records, last)) = next_batch(store, report.committed_seq, batch)? {
            load.add(&records)?;
            report.applied += records.len() as u64;
            report.committed_seq = last;
        }
        load.commit(report.committed_seq)?;
        report.commits = 1;
        Ok(report)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::index::SearchRequest;
    use crate::index::testutil::{R, ymd};

    #[test]
    fn test_catch_up_is_incremental_and_rebuild_matches() {
        let mut store = Store::in_memory().unwrap();
        let now = Utc.with_ymd_and_hms(2025, 4, 1, 0, 0, 0).single().unwrap();
        for i in 0..7 {
            let r = R::notice(&format!("s:{i}"), &format!("学校給食調理業務委託 第{i}号")).build();
            store.upsert(&r, now).unwrap();
        }
        let index = Index::in_memory().unwrap();
        let report = index.catch_up(&store, 3).unwrap();
        assert_eq!((report.applied, report.commits), (7, 3));
        assert_eq!(index.committed_seq().unwrap(), store.max_seq().unwrap());
        assert_eq!(index.catch_up(&store, 3).unwrap().applied, 0);

        // An update to one record re-indexes only that record, without duplicating it.
        let changed = R::notice("s:0", "庁舎清掃業務委託").build();
        store.upsert(&changed, now).unwrap();
        assert_eq!(index.catch_up(&store, 3).unwrap().applied, 1);
        assert_eq!(index.num_docs(), 7);
        let today = ymd(2025, 4, 1);
        let found = index.search(&SearchRequest::text("清掃"), today).unwrap();
        assert_eq!(
            found.hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
            ["s:0"]
        );

        // Equal scores may come back in another order after a rebuild: compare as sets.
        let summary = |index: &Index| {
            let resp = index.search(&SearchRequest::text("給食"), today).unwrap();
            let mut hits = resp.hits;
            hits.sort_by(|a, b| a.id.cmp(&b.id));
            (resp.total, hits, resp.facets)
        };
        let incremental = summary(&index);
        let rebuilt = index.rebuild(&store, 100).unwrap();
        assert_eq!(rebuilt.applied, 7);
        assert_eq!(summary(&index), incremental);
    }
}
