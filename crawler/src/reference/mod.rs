//! Reference data shipped with the crawler, and the lookups built on it.
//!
//! - [`municipality`]: the 全国地方公共団体コード table (version [`municipality::VERSION`]), check
//!   digits, lookup by code, prefectures.
//! - [`buyer`]: buyer names (発注機関 strings) resolved to the table.
//! - [`locate`]: a record's code, prefecture and municipality filled from the above.
//!
//! The usual entry points are re-exported here: [`by_code`], [`check_digit`],
//! [`resolve_buyer`], [`prefectures`], [`prefecture_of`].

pub mod buyer;
pub mod locate;
pub mod municipality;

#[cfg(test)]
mod labelled_tests;

pub use buyer::resolve_buyer;
pub use locate::locate;
pub use municipality::{
    Municipality, MunicipalityKind, TableError, by_code, check_digit, municipalities,
    normalize_code, prefecture_of, prefectures, validate,
};
