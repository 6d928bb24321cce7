//! Test helpers: concise record construction.
#![allow(dead_code, clippy::unwrap_used)]

use chrono::NaiveDate;

use crate::record::{Category, Kind, Method, Money, Record, Tax, When};

/// A date from y/m/d.
pub fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn when(date: NaiveDate) -> When {
    When {
        date,
        time: None,
        raw: date.to_string(),
        evidence: None,
    }
}

fn money(yen: u64) -> Money {
    Money {
        yen,
        tax: Tax::Included,
        raw: format!("{yen}円"),
    }
}

/// Builder over [`Record`] for tests.
pub struct R(pub Record);

impl R {
    /// A notice.
    pub fn notice(id: &str, title: &str) -> R {
        R(Record::new(
            id,
            Kind::Notice,
            "test",
            format!("http://127.0.0.1/{id}"),
            title,
        ))
    }
    /// An award.
    pub fn award(id: &str, title: &str) -> R {
        R(Record::new(
            id,
            Kind::Award,
            "test",
            format!("http://127.0.0.1/{id}"),
            title,
        ))
    }
    /// Sets the body.
    pub fn body(mut self, body: &str) -> R {
        self.0.body = body.to_string();
        self
    }
    /// Sets prefecture, municipality and code.
    pub fn place(mut self, pref: &str, muni: &str, code: &str) -> R {
        self.0.prefecture = Some(pref.to_string());
        self.0.municipality = Some(muni.to_string());
        self.0.municipality_code = Some(code.to_string());
        self
    }
    /// Sets the buyer.
    pub fn buyer(mut self, b: &str) -> R {
        self.0.buyer = Some(b.to_string());
        self
    }
    /// Sets the category.
    pub fn category(mut self, c: Category) -> R {
        self.0.category = Some(c);
        self
    }
    /// Sets the method.
    pub fn method(mut self, m: Method) -> R {
        self.0.method = Some(m);
        self
    }
    /// Sets the publication date.
    pub fn published(mut self, d: NaiveDate) -> R {
        self.0.published = Some(when(d));
        self
    }
    /// Sets the deadline.
    pub fn deadline(mut self, d: NaiveDate) -> R {
        self.0.deadline = Some(when(d));
        self
    }
    /// Sets the opening date.
    pub fn opening(mut self, d: NaiveDate) -> R {
        self.0.opening = Some(when(d));
        self
    }
    /// Sets the estimated price.
    pub fn estimated(mut self, yen: u64) -> R {
        self.0.estimated_price = Some(money(yen));
        self
    }
    /// Sets the amount (and the award ratio when the estimate is known).
    pub fn amount(mut self, yen: u64) -> R {
        self.0.amount = Some(money(yen));
        self.0.award_ratio = self.0.compute_award_ratio();
        self
    }
    /// Sets the winner.
    pub fn winner(mut self, w: &str) -> R {
        self.0.winner = Some(w.to_string());
        self
    }
    /// The record.
    pub fn build(self) -> Record {
        self.0
    }
}
