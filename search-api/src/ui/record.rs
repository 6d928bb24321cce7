//! `GET /records/{id}`: every field of one record.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

use indexer::{Kind, Money, Record, Tax, When};

use super::format::{date_ja, kind_label, ratio, segment, yen};
use super::{api_error_page, render};
use crate::data::{self, RecordWithLink};
use crate::{AppState, today_jst};

pub(crate) struct Field {
    pub label: &'static str,
    pub value: String,
    /// The text the value was read from, when it differs.
    pub raw: String,
}

pub(crate) struct AttachmentRow {
    pub title: String,
    pub url: String,
    pub media_type: String,
    pub excerpt: String,
}

pub(crate) struct LinkedRow {
    pub heading: &'static str,
    pub href: String,
    pub title: String,
    pub fields: Vec<Field>,
    pub evidence: String,
}

#[derive(Template)]
#[template(path = "record.html")]
pub(crate) struct RecordPage {
    pub title: String,
    pub kind_label: &'static str,
    pub open: bool,
    pub is_notice: bool,
    pub fields: Vec<Field>,
    pub source_url: String,
    pub body: String,
    pub attachments: Vec<AttachmentRow>,
    pub linked: Option<LinkedRow>,
    pub json_href: String,
    pub credits: Vec<String>,
}

fn when(label: &'static str, w: &Option<When>, unknown: &str) -> Field {
    match w {
        Some(w) => Field {
            label,
            value: match w.time {
                Some(t) => format!("{} {}", date_ja(w.date), t.format("%H:%M")),
                None => date_ja(w.date),
            },
            raw: w.raw.clone(),
        },
        None => Field {
            label,
            value: unknown.to_string(),
            raw: String::new(),
        },
    }
}

fn money(label: &'static str, m: &Option<Money>) -> Option<Field> {
    m.as_ref().map(|m| Field {
        label,
        value: format!(
            "{}{}",
            yen(m.yen),
            match m.tax {
                Tax::Included => "（税込）",
                Tax::Excluded => "（税抜）",
                Tax::Unknown => "",
            }
        ),
        raw: m.raw.clone(),
    })
}

fn text(label: &'static str, value: &Option<String>, raw: &Option<String>) -> Option<Field> {
    let value = value.clone()?;
    let raw = raw.clone().filter(|r| *r != value).unwrap_or_default();
    Some(Field { label, value, raw })
}

/// Every field of a record, in reading order.
fn fields(r: &Record) -> Vec<Field> {
    let mut out = vec![Field {
        label: "種別",
        value: kind_label(r.kind).to_string(),
        raw: String::new(),
    }];
    out.extend(text("発注機関", &r.buyer, &None));
    out.extend(text("都道府県", &r.prefecture, &None));
    out.extend(text("市区町村", &r.municipality, &None));
    out.extend(text("地方公共団体コード", &r.municipality_code, &None));
    out.extend(text(
        "業種",
        &r.category.map(|c| c.label().to_string()),
        &r.category_raw,
    ));
    out.extend(text(
        "入札方式",
        &r.method.map(|m| m.label().to_string()),
        &r.method_raw,
    ));
    out.extend(text("案件番号", &r.case_number, &None));
    out.push(when("公告日", &r.published, "不明"));
    if r.kind == Kind::Notice || r.deadline.is_some() {
        out.push(when(
            "提出期限",
            &r.deadline,
            "不明（公告本文で確認してください）",
        ));
    }
    if r.opening.is_some() {
        out.push(when("開札日", &r.opening, "不明"));
    }
    out.extend(money("予定価格", &r.estimated_price));
    out.extend(money("落札金額", &r.amount));
    if let Some(x) = r.award_ratio {
        out.push(Field {
            label: "落札率",
            value: ratio(x),
            raw: String::new(),
        });
    }
    out.extend(text("落札者", &r.winner, &r.winner_raw));
    out.extend(text("法人番号", &r.winner_corporate_number, &None));
    if let Some(b) = r.bidders {
        out.push(Field {
            label: "入札参加者数",
            value: format!("{b}者"),
            raw: String::new(),
        });
    }
    out.push(Field {
        label: "情報源",
        value: r.source.clone(),
        raw: String::new(),
    });
    out.push(Field {
        label: "ID",
        value: r.id.clone(),
        raw: String::new(),
    });
    let day = |t: chrono::DateTime<chrono::Utc>| {
        (t + chrono::Duration::hours(9))
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    out.push(Field {
        label: "初回取得",
        value: day(r.first_seen),
        raw: String::new(),
    });
    out.push(Field {
        label: "最終確認",
        value: day(r.last_seen),
        raw: String::new(),
    });
    out.push(Field {
        label: "最終更新",
        value: day(r.updated_at),
        raw: String::new(),
    });
    out
}

fn linked(r: &RecordWithLink) -> Option<LinkedRow> {
    let other = r.linked.as_ref()?;
    let mut f = Vec::new();
    f.extend(text("発注機関", &other.buyer, &None));
    if other.kind == Kind::Notice {
        f.push(when("提出期限", &other.deadline, "不明"));
        f.extend(money("予定価格", &other.estimated_price));
    } else {
        f.extend(money("落札金額", &other.amount));
        f.extend(text("落札者", &other.winner, &None));
    }
    let evidence = match (&r.record.linked_notice, &other.linked_notice) {
        (Some(l), _) | (None, Some(l)) => l.evidence.clone(),
        _ => String::new(),
    };
    Some(LinkedRow {
        heading: if other.kind == Kind::Award {
            "この公告の落札結果"
        } else {
            "この落札結果の入札公告"
        },
        href: format!("/records/{}", segment(&other.id)),
        title: other.title.clone(),
        fields: f,
        evidence,
    })
}

fn build(r: &RecordWithLink) -> RecordPage {
    let rec = &r.record;
    RecordPage {
        title: rec.title.clone(),
        kind_label: kind_label(rec.kind),
        open: rec.is_open_on(today_jst()),
        is_notice: rec.kind == Kind::Notice,
        fields: fields(rec),
        source_url: rec.url.clone(),
        body: rec.body.clone(),
        attachments: rec
            .attachments
            .iter()
            .map(|a| AttachmentRow {
                title: if a.title.is_empty() {
                    a.url.clone()
                } else {
                    a.title.clone()
                },
                url: a.url.clone(),
                media_type: a.media_type.clone().unwrap_or_default(),
                excerpt: a
                    .text
                    .as_deref()
                    .map(|t| t.chars().take(300).collect())
                    .unwrap_or_default(),
            })
            .collect(),
        linked: linked(r),
        json_href: format!("/api/records/{}", segment(&rec.id)),
        credits: data::attributions([rec].into_iter().chain(r.linked.as_ref())),
    }
}

/// `GET /records/{id}`.
pub(crate) async fn record_page(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match data::record(&state, id).await {
        Ok(r) => render(&build(&r)),
        Err(e) => api_error_page(&e),
    }
}
