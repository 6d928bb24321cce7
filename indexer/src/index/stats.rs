//! Award statistics on the read side (DESIGN.md, `GET /api/awards/stats`).
//!
//! The request's query text and filters select awards (the kind is forced to `award`; the
//! status filter does not apply); they are grouped by winner, buyer, municipality, category,
//! method or 年度 (the Japanese fiscal year, April to March, of the opening date, else the
//! publication date). For each group: `n` (awards in the group), `n_amount` (awards with a
//! known amount), the total and the median award amount (落札金額; the estimated price is never
//! substituted here), and the median 落札率 over the awards that have one. Groups with fewer than
//! five awards are flagged `small_sample`. The overall `n` and the period the awards span are
//! always reported. Records without a value for the grouping key fall into the group `不明`.
//!
//! Values are read from fast fields, so statistics over a million awards need no stored
//! documents.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::query::{build_text_query, parse};
use super::schema::{UNKNOWN_AMOUNT, date_from_day_number};
use super::search::{SearchRequest, combine, filter_clauses};
use super::{Index, IndexError};
use crate::record::Kind;

/// Groups smaller than this are flagged as small samples.
pub const SMALL_SAMPLE: u64 = 5;
/// Key of the group of awards that have no value for the grouping key.
pub const UNKNOWN_KEY: &str = "不明";

/// What award statistics are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    /// 落札者 (normalised name).
    Winner,
    /// 発注機関.
    Buyer,
    /// `都道府県 市区町村`.
    Municipality,
    /// 物品 / 工事 / 役務.
    Category,
    /// Procurement method.
    Method,
    /// 年度 (fiscal year, April–March), as a number such as `2024`.
    Year,
}

impl GroupBy {
    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<GroupBy> {
        match s {
            "winner" => Some(GroupBy::Winner),
            "buyer" => Some(GroupBy::Buyer),
            "municipality" => Some(GroupBy::Municipality),
            "category" => Some(GroupBy::Category),
            "method" => Some(GroupBy::Method),
            "year" => Some(GroupBy::Year),
            _ => None,
        }
    }

    fn fast_field(self) -> Option<&'static str> {
        match self {
            GroupBy::Winner => Some("winner_key"),
            GroupBy::Buyer => Some("buyer_key"),
            GroupBy::Municipality => Some("municipality_key"),
            GroupBy::Category => Some("category_key"),
            GroupBy::Method => Some("method_key"),
            GroupBy::Year => None,
        }
    }
}

/// Statistics of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatGroup {
    /// The group's key (a name, a label, or a fiscal year).
    pub key: String,
    /// Awards in the group.
    pub n: u64,
    /// Awards in the group with a known amount.
    pub n_amount: u64,
    /// Sum of the known amounts, in yen.
    pub total_amount: u64,
    /// Median of the known amounts, in yen (`None` when none is known).
    pub median_amount: Option<u64>,
    /// Median 落札率 of the awards that have one.
    pub median_award_ratio: Option<f64>,
    /// Whether `n` is below [`SMALL_SAMPLE`].
    pub small_sample: bool,
}

/// The dates the counted awards span.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// Earliest award date.
    pub from: Option<NaiveDate>,
    /// Latest award date.
    pub to: Option<NaiveDate>,
}

/// Grouped award statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AwardStats {
    /// Groups, largest `n` first (then by key).
    pub groups: Vec<StatGroup>,
    /// Awards counted.
    pub n: u64,
    /// The dates they span.
    pub period: Period,
}

#[derive(Debug, Default)]
struct Accumulator {
    n: u64,
    amounts: Vec<u64>,
    ratios: Vec<f64>,
}

impl Accumulator {
    fn merge(&mut self, other: Accumulator) {
        self.n += other.n;
        self.amounts.extend(other.amounts);
        self.ratios.extend(other.ratios);
    }
}

#[derive(Debug, Default)]
struct StatsFruit {
    groups: HashMap<String, Accumulator>,
    min_date: Option<i64>,
    max_date: Option<i64>,
}

impl StatsFruit {
    fn merge(&mut self, other: StatsFruit) {
        for (k, acc) in other.groups {
            self.groups.entry(k).or_default().merge(acc);
        }
        self.min_date = [self.min_date, other.min_date].into_iter().flatten().min();
        self.max_date = [self.max_date, other.max_date].into_iter().flatten().max();
    }
}

struct StatsCollector {
    group_by: GroupBy,
}

struct StatsSegmentCollector {
    group_by: GroupBy,
    keys: Option<StrColumn>,
    amount: Column<i64>,
    ratio: Column<f64>,
    date: Column<i64>,
    /// Key ordinal (or fiscal year) → accumulator; `u64::MAX` is the unknown key.
    groups: HashMap<u64, Accumulator>,
    min_date: Option<i64>,
    max_date: Option<i64>,
}

fn fiscal_year(date: NaiveDate) -> i32 {
    if date.month() < 4 {
        date.year() - 1
    } else {
        date.year()
    }
}

impl Collector for StatsCollector {
    type Fruit = StatsFruit;
    type Child = StatsSegmentCollector;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<StatsSegmentCollector> {
        let ff = segment.fast_fields();
        let keys = match self.group_by.fast_field() {
            Some(name) => ff.str(name)?,
            None => None,
        };
        Ok(StatsSegmentCollector {
            group_by: self.group_by,
            keys,
            amount: ff.i64("amount")?,
            ratio: ff.f64("award_ratio")?,
            date: ff.i64("award_date")?,
            groups: HashMap::new(),
            min_date: None,
            max_date: None,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<StatsFruit>) -> tantivy::Result<StatsFruit> {
        let mut out = StatsFruit::default();
        for f in fruits {
            out.merge(f);
        }
        Ok(out)
    }
}

impl SegmentCollector for StatsSegmentCollector {
    type Fruit = StatsFruit;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let day = self
            .date
            .first(doc)
            .filter(|d| date_from_day_number(*d).is_some());
        if let Some(d) = day {
            self.min_date = Some(self.min_date.map_or(d, |m| m.min(d)));
            self.max_date = Some(self.max_date.map_or(d, |m| m.max(d)));
        }
        let key = match self.group_by {
            GroupBy::Year => day
                .and_then(date_from_day_number)
                .map_or(u64::MAX, |d| fiscal_year(d) as u64),
            _ => self
                .keys
                .as_ref()
                .and_then(|k| k.term_ords(doc).next())
                .unwrap_or(u64::MAX),
        };
        let acc = self.groups.entry(key).or_default();
        acc.n += 1;
        if let Some(a) = self
            .amount
            .first(doc)
            .filter(|a| *a != UNKNOWN_AMOUNT && *a >= 0)
        {
            acc.amounts.push(a as u64);
        }
        if let Some(r) = self.ratio.first(doc).filter(|r| *r >= 0.0 && r.is_finite()) {
            acc.ratios.push(r);
        }
    }

    fn harvest(self) -> StatsFruit {
        let mut groups = HashMap::with_capacity(self.groups.len());
        let mut buf = String::new();
        for (key, acc) in self.groups {
            let name = if key == u64::MAX {
                UNKNOWN_KEY.to_string()
            } else if self.group_by == GroupBy::Year {
                key.to_string()
            } else {
                buf.clear();
                match self.keys.as_ref().map(|k| k.ord_to_str(key, &mut buf)) {
                    Some(Ok(true)) => buf.clone(),
                    _ => UNKNOWN_KEY.to_string(),
                }
            };
            groups
                .entry(name)
                .or_insert_with(Accumulator::default)
                .merge(acc);
        }
        StatsFruit {
            groups,
            min_date: self.min_date,
            max_date: self.max_date,
        }
    }
}

fn median_u64(values: &mut [u64]) -> Option<u64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        // Mean of the two middle values, without overflow.
        values[mid - 1] / 2 + values[mid] / 2 + (values[mid - 1] % 2 + values[mid] % 2) / 2
    })
}

fn median_f64(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

impl Index {
    /// Computes award statistics over the awards matching `req` (its kind, status, sort and
    /// paging are ignored), grouped by `group_by`.
    pub fn award_stats(
        &self,
        req: &SearchRequest,
        group_by: GroupBy,
        _today: NaiveDate,
    ) -> Result<AwardStats, IndexError> {
        let f = &self.inner.fields;
        let searcher = self.inner.reader.searcher();
        let awards_only = SearchRequest {
            kind: Some(Kind::Award),
            ..req.clone()
        };
        let parsed = parse(req.q.as_deref().unwrap_or(""));
        let (text, excluded) = build_text_query(f, &parsed);
        let query = combine(text, excluded, filter_clauses(f, &awards_only));
        let fruit = searcher.search(&query, &StatsCollector { group_by })?;

        let mut groups: Vec<StatGroup> = fruit
            .groups
            .into_iter()
            .map(|(key, mut acc)| StatGroup {
                key,
                n: acc.n,
                n_amount: acc.amounts.len() as u64,
                total_amount: acc.amounts.iter().fold(0u64, |s, a| s.saturating_add(*a)),
                median_amount: median_u64(&mut acc.amounts),
                median_award_ratio: median_f64(&mut acc.ratios),
                small_sample: acc.n < SMALL_SAMPLE,
            })
            .collect();
        groups.sort_by(|a, b| b.n.cmp(&a.n).then_with(|| a.key.cmp(&b.key)));
        Ok(AwardStats {
            n: groups.iter().map(|g| g.n).sum(),
            groups,
            period: Period {
                from: fruit.min_date.and_then(date_from_day_number),
                to: fruit.max_date.and_then(date_from_day_number),
            },
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn test_medians() {
        assert_eq!(median_u64(&mut []), None);
        assert_eq!(median_u64(&mut [3, 1, 2]), Some(2));
        assert_eq!(median_u64(&mut [4, 1, 3, 2]), Some(2));
        assert_eq!(median_u64(&mut [u64::MAX, u64::MAX]), Some(u64::MAX));
        assert_eq!(median_f64(&mut [0.9, 0.7, 0.8]), Some(0.8));
        let m = median_f64(&mut [0.9, 0.8]).unwrap();
        assert!((m - 0.85).abs() < 1e-12);
        assert_eq!(
            fiscal_year(NaiveDate::from_ymd_opt(2025, 3, 31).unwrap()),
            2024
        );
        assert_eq!(
            fiscal_year(NaiveDate::from_ymd_opt(2025, 4, 1).unwrap()),
            2025
        );
    }

    fn awards() -> Vec<crate::record::Record> {
        use crate::index::testutil::{R, ymd};
        use crate::record::{Category, Method};
        let mut out = Vec::new();
        // 6 awards to 株式会社堺道路 (not a small sample), 2 to 有限会社北清掃, 1 without winner.
        for i in 0..6u64 {
            out.push(
                R::award(&format!("a:road{i}"), "市道舗装補修工事")
                    .place("大阪府", "堺市", "271403")
                    .buyer("堺市建設局")
                    .category(Category::Works)
                    .method(Method::OpenCompetitive)
                    .published(ymd(2024, 3 + i as u32, 10))
                    .estimated(10_000_000)
                    .amount(8_000_000 + i * 200_000)
                    .winner("株式会社堺道路")
                    .build(),
            );
        }
        for i in 0..2u64 {
            out.push(
                R::award(&format!("a:clean{i}"), "庁舎清掃業務委託")
                    .place("北海道", "札幌市", "011002")
                    .buyer("札幌市総務局")
                    .category(Category::Services)
                    .method(Method::Designated)
                    .published(ymd(2025, 1, 20))
                    .opening(ymd(2025, 1 + i as u32, 5))
                    .amount(1_000_000 * (i + 1))
                    .winner("有限会社北清掃")
                    .build(),
            );
        }
        out.push(
            R::award("a:none", "備品購入")
                .category(Category::Goods)
                .build(),
        );
        // A notice never counts.
        out.push(
            R::notice("n:x", "市道舗装補修工事")
                .amount(1)
                .winner("株式会社堺道路")
                .build(),
        );
        out
    }

    #[test]
    fn test_award_stats_by_winner() {
        let index = Index::in_memory().unwrap();
        index.apply(&awards(), 1).unwrap();
        let today = NaiveDate::from_ymd_opt(2025, 4, 1).unwrap();
        let stats = index
            .award_stats(&SearchRequest::default(), GroupBy::Winner, today)
            .unwrap();
        assert_eq!(stats.n, 9);
        let keys: Vec<(&str, u64)> = stats.groups.iter().map(|g| (g.key.as_str(), g.n)).collect();
        assert_eq!(
            keys,
            [("株式会社堺道路", 6), ("有限会社北清掃", 2), ("不明", 1)]
        );
        let road = &stats.groups[0];
        assert!(!road.small_sample);
        assert_eq!(road.n_amount, 6);
        assert_eq!(road.total_amount, 6 * 8_000_000 + 200_000 * 15);
        // Amounts 8.0M … 9.0M: median of 8.4M and 8.6M.
        assert_eq!(road.median_amount, Some(8_500_000));
        assert!((road.median_award_ratio.unwrap() - 0.85).abs() < 1e-9);
        let clean = &stats.groups[1];
        assert!(clean.small_sample);
        assert_eq!(clean.median_award_ratio, None);
        assert_eq!(clean.median_amount, Some(1_500_000));
        assert_eq!(stats.period.from, NaiveDate::from_ymd_opt(2024, 3, 10));
        assert_eq!(stats.period.to, NaiveDate::from_ymd_opt(2025, 2, 5));
    }

    #[test]
    fn test_award_stats_by_year_with_filters() {
        let index = Index::in_memory().unwrap();
        index.apply(&awards(), 1).unwrap();
        let today = NaiveDate::from_ymd_opt(2025, 4, 1).unwrap();
        let stats = index
            .award_stats(&SearchRequest::default(), GroupBy::Year, today)
            .unwrap();
        let keys: Vec<(&str, u64)> = stats.groups.iter().map(|g| (g.key.as_str(), g.n)).collect();
        // 2024-03-10 is in 年度 2023; April–August 2024 in 2024; January/February 2025 too.
        assert_eq!(keys, [("2024", 7), ("2023", 1), ("不明", 1)]);
        let req = SearchRequest {
            q: Some("舗装".to_string()),
            prefecture: vec!["大阪府".to_string()],
            ..SearchRequest::default()
        };
        let stats = index.award_stats(&req, GroupBy::Category, today).unwrap();
        assert_eq!(stats.n, 6);
        assert_eq!(stats.groups[0].key, "工事");
        let by_muni = index
            .award_stats(&SearchRequest::default(), GroupBy::Municipality, today)
            .unwrap();
        assert_eq!(by_muni.groups[0].key, "大阪府 堺市");
    }
}
