//! The relevance set (`fixtures/relevance/queries.json`) over the synthetic corpus: recall@20
//! and nDCG@10, printed per query and asserted overall.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;

use serde::Deserialize;

use super::synthetic::corpus;
use super::testutil::ymd;
use super::{Index, SearchRequest};

#[derive(Deserialize)]
struct Judged {
    q: String,
    relevant_topics: Vec<String>,
}

#[derive(Deserialize)]
struct RelevanceSet {
    queries: Vec<Judged>,
}

const PER_TOPIC: usize = 4;
const MIN_MEAN_RECALL_AT_20: f64 = 0.95;
const MIN_MEAN_NDCG_AT_10: f64 = 0.95;

fn topic_of(id: &str) -> &str {
    id.rsplit_once('-').map_or(id, |(t, _)| t)
}

fn ndcg_at_10(ranked: &[String], relevant: &HashSet<String>) -> f64 {
    let dcg: f64 = ranked
        .iter()
        .take(10)
        .enumerate()
        .filter(|(_, id)| relevant.contains(*id))
        .map(|(i, _)| 1.0 / ((i + 2) as f64).log2())
        .sum();
    let ideal: f64 = (0..relevant.len().min(10))
        .map(|i| 1.0 / ((i + 2) as f64).log2())
        .sum();
    if ideal == 0.0 { 0.0 } else { dcg / ideal }
}

#[test]
fn test_relevance_set_recall_and_ndcg() {
    let set: RelevanceSet =
        serde_json::from_str(include_str!("../../../fixtures/relevance/queries.json")).unwrap();
    assert!(
        set.queries.len() >= 60,
        "the relevance set needs at least 60 queries"
    );
    let records = corpus(PER_TOPIC, 20_250_401);
    let index = Index::in_memory().unwrap();
    index.apply(&records, 1).unwrap();
    let all_ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();

    let (mut recall_sum, mut ndcg_sum) = (0.0, 0.0);
    for judged in &set.queries {
        let relevant: HashSet<String> = all_ids
            .iter()
            .filter(|id| judged.relevant_topics.iter().any(|t| t == topic_of(id)))
            .cloned()
            .collect();
        assert!(
            !relevant.is_empty(),
            "{}: judged topics match no record",
            judged.q
        );
        let req = SearchRequest {
            per_page: 20,
            ..SearchRequest::text(&judged.q)
        };
        let resp = index.search(&req, ymd(2025, 4, 1)).unwrap();
        let ranked: Vec<String> = resp.hits.iter().map(|h| h.id.clone()).collect();
        let found = ranked.iter().filter(|id| relevant.contains(*id)).count();
        let recall = found as f64 / relevant.len().min(20) as f64;
        let ndcg = ndcg_at_10(&ranked, &relevant);
        println!(
            "{:<24} recall@20 {recall:.2}  nDCG@10 {ndcg:.2}  (total {})",
            judged.q, resp.total
        );
        recall_sum += recall;
        ndcg_sum += ndcg;
    }
    let n = set.queries.len() as f64;
    let (recall, ndcg) = (recall_sum / n, ndcg_sum / n);
    println!(
        "queries {}  mean recall@20 {recall:.3}  mean nDCG@10 {ndcg:.3}",
        set.queries.len()
    );
    assert!(
        recall >= MIN_MEAN_RECALL_AT_20,
        "mean recall@20 {recall:.3} < {MIN_MEAN_RECALL_AT_20}"
    );
    assert!(
        ndcg >= MIN_MEAN_NDCG_AT_10,
        "mean nDCG@10 {ndcg:.3} < {MIN_MEAN_NDCG_AT_10}"
    );
}

#[test]
fn test_ndcg_of_perfect_and_empty_rankings() {
    let relevant: HashSet<String> = ["a".to_string(), "b".to_string()].into();
    assert!((ndcg_at_10(&["a".into(), "b".into(), "c".into()], &relevant) - 1.0).abs() < 1e-9);
    assert_eq!(ndcg_at_10(&["c".into()], &relevant), 0.0);
    assert!(ndcg_at_10(&["c".into(), "a".into()], &relevant) < 1.0);
}
