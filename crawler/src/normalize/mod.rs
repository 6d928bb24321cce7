//! Normalisation of Japanese procurement data, done once at crawl time.
//!
//! Pure functions, no I/O. Each value keeps the raw text beside it in the record; here we turn
//! text into typed values and refuse whenever the text is unclear: a missing value is better
//! than a wrong one.
//!
//! - [`text`]: NFKC, width folding, whitespace; titles without `【入札公告】` and `(146.6KB)`.
//! - [`date`]: 和暦 and 西暦 dates, times, ranges; 年度.
//! - [`deadline`]: submission deadlines and bid openings from labelled fields and free text.
//! - [`money`]: amounts in yen with their tax flag.
//! - [`company`]: company names, match keys, joint ventures.
//! - [`classify`]: procurement method and category.

pub mod classify;
pub mod company;
pub mod date;
pub mod deadline;
pub mod money;
mod numerals;
pub mod text;

#[cfg(test)]
mod labelled_tests;
#[cfg(test)]
mod property_tests;
