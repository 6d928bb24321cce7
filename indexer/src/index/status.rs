//! Open or closed, decided at query time, as collectors.
//!
//! A notice is open on `today` (JST) when its deadline is known and on or after `today`;
//! everything else — past or unknown deadlines, awards — is closed. Nothing about it is stored
//! in the index: the collectors read the `deadline` and `kind_key` fast fields of the documents
//! the query matched. That is what lets one pass over the query's matches count both statuses
//! (the status facet ignores the status filter) and filter the hits, the other facets and the
//! total by status — instead of running the query again per count, with a range query that
//! scans the whole deadline column each time.

use chrono::NaiveDate;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::schema::{UNKNOWN_DEADLINE, day_number};
use super::search::Status;
use crate::record::Kind;

/// Decides whether the documents of one segment are open notices.
struct OpenTest {
    deadline: Column<i64>,
    kind: Option<StrColumn>,
    /// Ordinal of `notice` in this segment's `kind_key` dictionary (`None`: no notice here).
    notice: Option<u64>,
    today: i64,
}

impl OpenTest {
    fn for_segment(segment: &SegmentReader, today: i64) -> tantivy::Result<OpenTest> {
        let fast = segment.fast_fields();
        let deadline = fast.i64("deadline")?;
        let kind = fast.str("kind_key")?;
        let notice = match &kind {
            Some(column) => column.dictionary().term_ord(Kind::Notice.as_str())?,
            None => None,
        };
        Ok(OpenTest {
            deadline,
            kind,
            notice,
            today,
        })
    }

    fn is_open(&self, doc: DocId) -> bool {
        let (Some(kind), Some(notice)) = (&self.kind, self.notice) else {
            return false;
        };
        kind.ords().first(doc) == Some(notice)
            && self
                .deadline
                .first(doc)
                .is_some_and(|d| d >= self.today && d != UNKNOWN_DEADLINE)
    }
}

/// Counts the matching documents and, among them, the open ones: the fruit is
/// `(all, open)`.
pub(crate) struct StatusCounts {
    today: i64,
}

impl StatusCounts {
    /// Counts with `today` as the day deciding what is open.
    pub(crate) fn new(today: NaiveDate) -> StatusCounts {
        StatusCounts {
            today: day_number(today),
        }
    }
}

/// The segment part of [`StatusCounts`].
pub(crate) struct StatusCountsSegment {
    test: OpenTest,
    all: u64,
    open: u64,
}

impl Collector for StatusCounts {
    type Fruit = (u64, u64);
    type Child = StatusCountsSegment;

    fn for_segment(
        &self,
        _segment_local_id: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<StatusCountsSegment> {
        Ok(StatusCountsSegment {
            test: OpenTest::for_segment(segment, self.today)?,
            all: 0,
            open: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<(u64, u64)>) -> tantivy::Result<(u64, u64)> {
        Ok(fruits
            .into_iter()
            .fold((0, 0), |(a, o), (sa, so)| (a + sa, o + so)))
    }
}

impl SegmentCollector for StatusCountsSegment {
    type Fruit = (u64, u64);

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.all += 1;
        if self.test.is_open(doc) {
            self.open += 1;
        }
    }

    fn harvest(self) -> (u64, u64) {
        (self.all, self.open)
    }
}

/// Passes to `inner` only the documents of the given status (all of them without one).
pub(crate) struct ByStatus<C> {
    status: Option<Status>,
    today: i64,
    inner: C,
}

impl<C> ByStatus<C> {
    /// Filters what `inner` collects by `status` on `today`.
    pub(crate) fn new(status: Option<Status>, today: NaiveDate, inner: C) -> ByStatus<C> {
        ByStatus {
            status,
            today: day_number(today),
            inner,
        }
    }
}

/// The segment part of [`ByStatus`].
pub(crate) struct ByStatusSegment<S> {
    /// The test and the status wanted; `None` passes every document.
    filter: Option<(OpenTest, bool)>,
    inner: S,
}

impl<C: Collector> Collector for ByStatus<C> {
    type Fruit = C::Fruit;
    type Child = ByStatusSegment<C::Child>;

    fn for_segment(
        &self,
        segment_local_id: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let filter = match self.status {
            None => None,
            Some(status) => Some((
                OpenTest::for_segment(segment, self.today)?,
                status == Status::Open,
            )),
        };
        Ok(ByStatusSegment {
            filter,
            inner: self.inner.for_segment(segment_local_id, segment)?,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<C::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<C::Fruit> {
        self.inner.merge_fruits(fruits)
    }
}

impl<S: SegmentCollector> SegmentCollector for ByStatusSegment<S> {
    type Fruit = S::Fruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        match &self.filter {
            Some((test, want_open)) if test.is_open(doc) != *want_open => {}
            _ => self.inner.collect(doc, score),
        }
    }

    fn harvest(self) -> S::Fruit {
        self.inner.harvest()
    }
}
