//! Dates and times as Japanese notices write them: 和暦 and 西暦, full-width digits, kanji
//! numerals, weekdays, times of day and ranges.
//!
//! Everything is Japan Standard Time. A value that cannot be read with certainty is `None`:
//! a missing date is better than a wrong one.

use std::sync::LazyLock;

use chrono::{Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use regex::Regex;

use super::numerals::parse_small_number;
use super::text::normalize_text;

/// A date read from text, with the time of day when the text gives one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedDate {
    /// The calendar date (JST).
    pub date: NaiveDate,
    /// The time of day (JST), when stated.
    pub time: Option<NaiveTime>,
}

/// The furthest a month-and-day-only date may lie after its reference date.
const MONTH_DAY_HORIZON_DAYS: i64 = 300;

/// Returns the 年度 (Japanese fiscal year, April to March) a date falls in: 2026-04-01 and
/// 2027-03-31 are both in 年度 2026.
pub fn fiscal_year(d: NaiveDate) -> i32 {
    if d.month() >= 4 {
        d.year()
    } else {
        d.year() - 1
    }
}

/// Parses one date, or the end of one date range, from `s`.
///
/// Accepts 和暦 (`令和8年5月21日`, `令和元年`, `R8.5.21`, `R8/5/21`, `令和 6年10月28日`,
/// `令和8年（2026年）1月28日`), 西暦 (`2026年5月1日`, `2026/5/1`, `2026.05.01`, `2026-05-01`, ISO
/// 8601 with an offset), full-width digits, kanji numerals (`令和八年五月一日`), weekdays
/// (`（火）`, checked against the date), times (`午後5時`, `正午`, `17時00分`, `13:30`,
/// `午前10時30分`, `9時半`) and ranges (`A～B`, `AからBまで`, `A～同月20日`, whose end is
/// returned).
///
/// A date written as month and day only (`5月21日`) is placed in the first year in which it
/// falls on or after `reference` (the notice date), within 300 days of it and on the stated
/// weekday if one is given; without a reference it is rejected. Returns `None` for invalid
/// dates (`2月30日`, `令和元年4月1日`), a weekday that does not match, and text holding two
/// different dates that do not form a range.
///
/// An ISO timestamp at exactly midnight (`2026-04-20T00:00:00+09:00`) is read as a date
/// without a time, because feeds use it for date-only values.
pub fn parse_date(s: &str, reference: Option<NaiveDate>) -> Option<ParsedDate> {
    let prepared = prepare(s);
    let items = scan(&prepared);
    resolve_all(&prepared, &items, reference)
}

/// Parses the first date (or date range, returning its end) of already prepared text, and
/// returns it with the byte offset where it ends. Used by the deadline finder.
pub(crate) fn parse_first_group(
    prepared: &str,
    reference: Option<NaiveDate>,
) -> Option<(ParsedDate, usize, usize)> {
    let items = scan(prepared);
    let first = items.first()?;
    let (parsed, used) = resolve_group(prepared, &items, 0, None, reference)?;
    let last = items.get(used - 1)?;
    let tail_end = items.get(used).map_or(prepared.len(), |next| next.start);
    if OPEN_RANGE_AFTER.is_match(&prepared[last.end..tail_end]) {
        return None;
    }
    Some((parsed, first.start, last.end))
}

/// Normalises text for date parsing: NFKC, range markers unified to `~`, dashes to `-`, kanji
/// numerals before 年/月/日/時/分 turned into digits.
pub(crate) fn prepare(s: &str) -> String {
    let folded: String = normalize_text(s)
        .chars()
        .map(|c| match c {
            '〜' | '∼' | '〰' | '～' => '~',
            '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' => '-',
            _ => c,
        })
        .collect();
    // `令和8(2026)年` and `2026(令和8)年` become `令和8年(2026年)` and `2026年(令和8年)`.
    let folded = ERA_PAREN_BEFORE_NEN.replace_all(&folded, "${1}${2}年(${3}年)");
    let folded = WESTERN_PAREN_BEFORE_NEN.replace_all(&folded, "${1}年(${2}${3}年)");
    KANJI_NUMBER
        .replace_all(
            &folded,
            |caps: &regex::Captures<'_>| match parse_small_number(&caps[1]) {
                Some(n) => format!("{n}{}", &caps[2]),
                None => caps[0].to_string(),
            },
        )
        .into_owned()
}

static ERA_PAREN_BEFORE_NEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(令和|平成|昭和)\s*(元|[0-9]{1,2})\s*\(\s*([0-9]{4})\s*\)\s*年")
        .expect("static regex")
});

static WESTERN_PAREN_BEFORE_NEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([0-9]{4})\s*\(\s*(令和|平成|昭和)\s*(元|[0-9]{1,2})\s*\)\s*年")
        .expect("static regex")
});

static KANJI_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([〇零一二三四五六七八九十百千]+)([年月日時分秒半])").expect("static regex")
});

/// How an item's date is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Core {
    /// A complete date.
    Full(NaiveDate),
    /// Month and day only.
    MonthDay(u32, u32),
    /// `同年5月20日`: month and day in the year of the previous date.
    SameYear(u32, u32),
    /// `同月20日` or a bare `20日` after a range marker: a day in the previous date's month.
    SameMonth(u32),
    /// `同日`: the previous date.
    SameDay,
    /// Matched the shape of a date but is not a valid one (`2月30日`, `令和元年4月1日`).
    Invalid,
}

/// The time of day that follows a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimeOfDay {
    /// No time written.
    Absent,
    /// A valid time.
    At(NaiveTime),
    /// A time that means the date only (`24時`, the ambiguous `午後12時`, ISO midnight).
    DateOnly,
    /// A malformed time (`25時`, `17時75分`): the whole value is rejected.
    Invalid,
}

/// One date expression found in prepared text.
#[derive(Debug, Clone, Copy)]
struct Item {
    start: usize,
    end: usize,
    core: Core,
    weekday: Option<Weekday>,
    time: TimeOfDay,
    /// Only meaningful after a range marker (`20日`, `5/20`).
    needs_range: bool,
}

/// The kinds of date expression, tried in this order at each position.
#[derive(Debug, Clone, Copy)]
enum Pattern {
    Iso,
    EraKanji,
    WesternKanji,
    EraSeparated,
    WesternSeparated,
    MonthDay,
    SameYear,
    SameMonth,
    SameDay,
    MonthDaySlash,
    DayOnly,
}

static PATTERNS: LazyLock<Vec<(Pattern, Regex)>> = LazyLock::new(|| {
    let table = [
        (
            Pattern::Iso,
            r"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?",
        ),
        (
            Pattern::EraKanji,
            r"^(令和|平成|昭和)\s*(元|[0-9]{1,2})\s*年\s*(?:\(\s*(?:西暦\s*)?([0-9]{4})\s*年?\s*\)\s*)?([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日",
        ),
        (
            Pattern::WesternKanji,
            r"^([0-9]{4})\s*年\s*(?:\(\s*(令和|平成|昭和)\s*(元|[0-9]{1,2})\s*年?\s*\)\s*)?([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日",
        ),
        (
            Pattern::EraSeparated,
            r"^(令和|平成|昭和|[令平昭RHS])\s*\.?\s*(元|[0-9]{1,2})\s*([./-]|年)\s*([0-9]{1,2})\s*([./-]|月)\s*([0-9]{1,2})(?:\s*日)?",
        ),
        (
            Pattern::WesternSeparated,
            r"^([0-9]{4})\s*([./-])\s*([0-9]{1,2})\s*([./-])\s*([0-9]{1,2})(?:\s*日)?",
        ),
        (Pattern::MonthDay, r"^([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日"),
        (
            Pattern::SameYear,
            r"^同年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日",
        ),
        (Pattern::SameMonth, r"^同月\s*([0-9]{1,2})\s*日"),
        (Pattern::SameDay, r"^同日"),
        (Pattern::MonthDaySlash, r"^([0-9]{1,2})/([0-9]{1,2})"),
        (Pattern::DayOnly, r"^([0-9]{1,2})\s*日"),
    ];
    table
        .into_iter()
        .map(|(p, re)| (p, Regex::new(re).expect("static regex")))
        .collect()
});

static WEEKDAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[(〔\[〈<]\s*([月火水木金土日])?\s*(?:曜日|曜)?\s*(?:[・,、/]?\s*(?:祝|祭|休)日?)?\s*[)〕\]〉>]|([月火水木金土日])曜日?)")
        .expect("static regex")
});

static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*(?:の\s*)?(?:(正午)|(午前|午後|AM|PM|am|pm|a\.m\.|p\.m\.)?\s*([0-9]{1,2})\s*(?:時\s*(?:([0-9]{1,2})\s*分|(半))?|:\s*([0-9]{2})(?:\s*:\s*([0-9]{2}))?))",
    )
    .expect("static regex")
});

static TIME_RANGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:~|-|から|より)\s*").expect("static regex"));

static RANGE_BETWEEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:まで)?\s*(?:~|-|から|より|至|乃至)\s*(?:自)?\s*$").expect("static regex")
});

static DURATION_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:間|以内|以上|以降|後|前|目|分|程度)").expect("static regex")
});

/// Text after a date that opens a range with no end (`令和8年5月1日から`).
static OPEN_RANGE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:\([^()]{0,20}\)\s*)?(?:~|-|から|より|以降)").expect("static regex")
});

/// Whether the text between two dates makes them a range.
fn is_range_between(between: &str) -> bool {
    RANGE_BETWEEN.is_match(between)
}

fn weekday_of(c: &str) -> Option<Weekday> {
    Some(match c {
        "月" => Weekday::Mon,
        "火" => Weekday::Tue,
        "水" => Weekday::Wed,
        "木" => Weekday::Thu,
        "金" => Weekday::Fri,
        "土" => Weekday::Sat,
        "日" => Weekday::Sun,
        _ => return None,
    })
}

fn num(caps: &regex::Captures<'_>, i: usize) -> Option<u32> {
    let s = caps.get(i)?.as_str();
    if s == "元" { Some(1) } else { s.parse().ok() }
}

/// The western year of an era year, or `None` for an unknown era or year 0.
fn era_year(era: &str, year: u32) -> Option<i32> {
    if year == 0 {
        return None;
    }
    let base = match era {
        "令和" | "令" | "R" => 2018,
        "平成" | "平" | "H" => 1988,
        "昭和" | "昭" | "S" => 1925,
        _ => return None,
    };
    Some(base + i32::try_from(year).ok()?)
}

/// Builds an era date and checks that the era was in force on it.
fn era_date(era: &str, year: u32, month: u32, day: u32) -> Core {
    let Some(y) = era_year(era, year) else {
        return Core::Invalid;
    };
    let Some(date) = NaiveDate::from_ymd_opt(y, month, day) else {
        return Core::Invalid;
    };
    let (first, last) = match era.chars().next() {
        Some('令' | 'R') => (ymd(2019, 5, 1), ymd(9999, 12, 31)),
        Some('平' | 'H') => (ymd(1989, 1, 8), ymd(2019, 4, 30)),
        _ => (ymd(1926, 12, 25), ymd(1989, 1, 7)),
    };
    if date < first || date > last {
        Core::Invalid
    } else {
        Core::Full(date)
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn western_date(year: u32, month: u32, day: u32) -> Core {
    if !(1900..=2100).contains(&year) {
        return Core::Invalid;
    }
    match i32::try_from(year)
        .ok()
        .and_then(|y| NaiveDate::from_ymd_opt(y, month, day))
    {
        Some(d) => Core::Full(d),
        None => Core::Invalid,
    }
}

/// Reads the core date of a match.
fn core_of(pattern: Pattern, caps: &regex::Captures<'_>) -> (Core, TimeOfDay) {
    let read = || -> Option<(Core, TimeOfDay)> {
        Some(match pattern {
            Pattern::Iso => {
                let date = western_date(num(caps, 1)?, num(caps, 2)?, num(caps, 3)?);
                let Core::Full(d) = date else {
                    return Some((Core::Invalid, TimeOfDay::Absent));
                };
                let Some(t) = NaiveTime::from_hms_opt(
                    num(caps, 4)?,
                    num(caps, 5)?,
                    num(caps, 6).unwrap_or(0),
                ) else {
                    return Some((Core::Invalid, TimeOfDay::Invalid));
                };
                let local = match caps.get(7).map(|m| m.as_str()) {
                    None => NaiveDateTime::new(d, t),
                    Some(offset) => to_jst(NaiveDateTime::new(d, t), offset)?,
                };
                let time = if local.time() == NaiveTime::MIN {
                    TimeOfDay::DateOnly
                } else {
                    TimeOfDay::At(local.time())
                };
                (Core::Full(local.date()), time)
            }
            Pattern::EraKanji => {
                let core = era_date(&caps[1], num(caps, 2)?, num(caps, 4)?, num(caps, 5)?);
                let consistent = match (caps.get(3), core) {
                    (Some(w), Core::Full(d)) => w.as_str().parse::<i32>().ok() == Some(d.year()),
                    _ => true,
                };
                (
                    if consistent { core } else { Core::Invalid },
                    TimeOfDay::Absent,
                )
            }
            Pattern::WesternKanji => {
                let core = western_date(num(caps, 1)?, num(caps, 4)?, num(caps, 5)?);
                let consistent = match (caps.get(2), core) {
                    (Some(era), Core::Full(d)) => {
                        era_year(era.as_str(), num(caps, 3)?) == Some(d.year())
                    }
                    _ => true,
                };
                (
                    if consistent { core } else { Core::Invalid },
                    TimeOfDay::Absent,
                )
            }
            Pattern::EraSeparated => {
                // The two separators must agree: `R8.5.21`, `R8/5/21`, `R8年5月21日`.
                let ok = matches!(
                    (&caps[3], &caps[5]),
                    ("年", "月") | (".", ".") | ("/", "/") | ("-", "-")
                );
                if !ok {
                    return Some((Core::Invalid, TimeOfDay::Absent));
                }
                (
                    era_date(&caps[1], num(caps, 2)?, num(caps, 4)?, num(caps, 6)?),
                    TimeOfDay::Absent,
                )
            }
            Pattern::WesternSeparated => {
                if caps[2] != caps[4] {
                    return Some((Core::Invalid, TimeOfDay::Absent));
                }
                (
                    western_date(num(caps, 1)?, num(caps, 3)?, num(caps, 5)?),
                    TimeOfDay::Absent,
                )
            }
            Pattern::MonthDay | Pattern::MonthDaySlash => {
                let (m, d) = (num(caps, 1)?, num(caps, 2)?);
                // Validate against a leap year so that 2月29日 survives until a year is known.
                let core = if NaiveDate::from_ymd_opt(2024, m, d).is_some() {
                    Core::MonthDay(m, d)
                } else {
                    Core::Invalid
                };
                (core, TimeOfDay::Absent)
            }
            Pattern::SameYear => (
                Core::SameYear(num(caps, 1)?, num(caps, 2)?),
                TimeOfDay::Absent,
            ),
            Pattern::SameMonth | Pattern::DayOnly => {
                let d = num(caps, 1)?;
                (
                    if (1..=31).contains(&d) {
                        Core::SameMonth(d)
                    } else {
                        Core::Invalid
                    },
                    TimeOfDay::Absent,
                )
            }
            Pattern::SameDay => (Core::SameDay, TimeOfDay::Absent),
        })
    };
    read().unwrap_or((Core::Invalid, TimeOfDay::Absent))
}

/// Converts a date-time at the given UTC offset (`Z`, `+09:00`, `+0900`) to JST.
fn to_jst(dt: NaiveDateTime, offset: &str) -> Option<NaiveDateTime> {
    let seconds = if offset == "Z" {
        0
    } else {
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let digits: String = offset.chars().filter(char::is_ascii_digit).collect();
        let h: i32 = digits.get(0..2)?.parse().ok()?;
        let m: i32 = digits.get(2..4)?.parse().ok()?;
        sign * (h * 3600 + m * 60)
    };
    let source = FixedOffset::east_opt(seconds)?;
    let jst = FixedOffset::east_opt(9 * 3600)?;
    let utc = dt.checked_sub_signed(Duration::seconds(i64::from(source.local_minus_utc())))?;
    utc.checked_add_signed(Duration::seconds(i64::from(jst.local_minus_utc())))
}

/// Reads one time of day at the start of `s`; returns it and the bytes consumed.
fn time_at(s: &str) -> Option<(TimeOfDay, usize)> {
    let caps = TIME.captures(s)?;
    let end = caps.get(0)?.end();
    if caps.get(1).is_some() {
        return Some((TimeOfDay::At(NaiveTime::from_hms_opt(12, 0, 0)?), end));
    }
    let meridiem = caps.get(2).map(|m| m.as_str().to_ascii_lowercase());
    let hour: u32 = caps.get(3)?.as_str().parse().ok()?;
    let minute: u32 = if caps.get(5).is_some() {
        30
    } else {
        caps.get(4)
            .or(caps.get(6))
            .map_or(Some(0), |m| m.as_str().parse().ok())?
    };
    let second: u32 = caps.get(7).map_or(Some(0), |m| m.as_str().parse().ok())?;
    let time = match meridiem.as_deref() {
        Some("午前" | "am" | "a.m.") => match hour {
            0..=11 => NaiveTime::from_hms_opt(hour, minute, second)
                .map_or(TimeOfDay::Invalid, TimeOfDay::At),
            12 => TimeOfDay::DateOnly,
            _ => TimeOfDay::Invalid,
        },
        Some(_) => match hour {
            0 => NaiveTime::from_hms_opt(12, minute, second)
                .map_or(TimeOfDay::Invalid, TimeOfDay::At),
            1..=11 => NaiveTime::from_hms_opt(hour + 12, minute, second)
                .map_or(TimeOfDay::Invalid, TimeOfDay::At),
            12 => TimeOfDay::DateOnly,
            _ => TimeOfDay::Invalid,
        },
        None => match hour {
            0..=23 => NaiveTime::from_hms_opt(hour, minute, second)
                .map_or(TimeOfDay::Invalid, TimeOfDay::At),
            24 if minute == 0 && second == 0 => TimeOfDay::DateOnly,
            _ => TimeOfDay::Invalid,
        },
    };
    Some((time, end))
}

/// Reads the weekday and time that may follow a date at `s`; returns them and the bytes consumed.
fn trailer_at(s: &str) -> (Option<Weekday>, TimeOfDay, usize) {
    let mut pos = 0;
    let mut weekday = None;
    if let Some(caps) = WEEKDAY.captures(s) {
        weekday = caps
            .get(1)
            .or(caps.get(2))
            .and_then(|m| weekday_of(m.as_str()));
        pos = caps.get(0).map_or(0, |m| m.end());
    }
    let mut time = TimeOfDay::Absent;
    if let Some((t, used)) = time_at(&s[pos..]) {
        time = t;
        pos += used;
        // A time range on the same day: keep its end.
        if let Some(m) = TIME_RANGE.find(&s[pos..])
            && let Some((t2, used2)) = time_at(&s[pos + m.end()..])
        {
            time = t2;
            pos += m.end() + used2;
        }
    }
    (weekday, time, pos)
}

/// Whether a date may start at byte `i`: not in the middle of a number or a word.
fn starts_cleanly(s: &str, i: usize) -> bool {
    match s[..i].chars().next_back() {
        Some(c) => !(c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | ',')),
        None => true,
    }
}

/// Finds every date expression in prepared text, left to right.
fn scan(s: &str) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        let Some(c) = rest.chars().next() else { break };
        let candidate =
            c.is_ascii_digit() || matches!(c, '令' | '平' | '昭' | '同' | 'R' | 'H' | 'S');
        if candidate
            && starts_cleanly(s, i)
            && let Some(item) = match_item_at(s, i, items.last())
        {
            i = item.end;
            items.push(item);
            continue;
        }
        i += c.len_utf8();
    }
    items
}

/// Tries every pattern at byte `i` of `s`.
fn match_item_at(s: &str, i: usize, previous: Option<&Item>) -> Option<Item> {
    let rest = &s[i..];
    for (pattern, re) in PATTERNS.iter() {
        let Some(caps) = re.captures(rest) else {
            continue;
        };
        let Some(whole) = caps.get(0) else { continue };
        // A date must not run on into more digits (`2026/5/211`); after `日` a time may follow.
        if !whole.as_str().ends_with('日')
            && rest[whole.end()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
        {
            continue;
        }
        // `30日間`, `20日以内`, `14日後` are durations, not dates.
        if matches!(
            pattern,
            Pattern::DayOnly | Pattern::SameMonth | Pattern::MonthDay
        ) && DURATION_AFTER.is_match(&rest[whole.end()..])
        {
            continue;
        }
        let (core, iso_time) = core_of(*pattern, &caps);
        let (weekday, mut time, used) = trailer_at(&rest[whole.end()..]);
        // `20日` and a bare `6/5` are dates only as the end of a range; `6/5(金)` stands alone.
        let needs_range = matches!(pattern, Pattern::DayOnly)
            || (matches!(pattern, Pattern::MonthDaySlash) && weekday.is_none());
        if matches!(pattern, Pattern::MonthDaySlash)
            && weekday.is_none()
            && !after_range(s, i, previous)
        {
            continue;
        }
        if matches!(pattern, Pattern::DayOnly) && !after_range(s, i, previous) {
            continue;
        }
        if iso_time != TimeOfDay::Absent && time == TimeOfDay::Absent {
            time = iso_time;
        }
        return Some(Item {
            start: i,
            end: i + whole.end() + used,
            core,
            weekday,
            time,
            needs_range,
        });
    }
    None
}

/// Whether position `i` follows a previous date and a range marker.
fn after_range(s: &str, i: usize, previous: Option<&Item>) -> bool {
    previous.is_some_and(|p| p.end <= i && is_range_between(&s[p.end..i]))
}

fn with_time(date: NaiveDate, item: &Item) -> Option<ParsedDate> {
    if let Some(w) = item.weekday
        && date.weekday() != w
    {
        return None;
    }
    let time = match item.time {
        TimeOfDay::Absent | TimeOfDay::DateOnly => None,
        TimeOfDay::At(t) => Some(t),
        TimeOfDay::Invalid => return None,
    };
    Some(ParsedDate { date, time })
}

/// The first date with this month and day on or after `reference` (and on the stated weekday),
/// within the horizon.
fn place_month_day(
    m: u32,
    d: u32,
    weekday: Option<Weekday>,
    reference: NaiveDate,
) -> Option<NaiveDate> {
    let found = (reference.year()..=reference.year() + 1)
        .filter_map(|y| NaiveDate::from_ymd_opt(y, m, d))
        .filter(|date| *date >= reference)
        .find(|date| weekday.is_none_or(|w| date.weekday() == w))?;
    ((found - reference).num_days() <= MONTH_DAY_HORIZON_DAYS).then_some(found)
}

/// Resolves a lone item against the reference date.
fn resolve_single(item: &Item, reference: Option<NaiveDate>) -> Option<ParsedDate> {
    if item.needs_range {
        return None;
    }
    let date = match item.core {
        Core::Full(d) => d,
        Core::MonthDay(m, d) => place_month_day(m, d, item.weekday, reference?)?,
        Core::SameYear(..) | Core::SameMonth(_) | Core::SameDay | Core::Invalid => return None,
    };
    with_time(date, item)
}

/// Resolves the end of a range from its start.
fn resolve_end(end: &Item, start: ParsedDate) -> Option<ParsedDate> {
    let s = start.date;
    let date = match end.core {
        Core::Full(d) => d,
        Core::MonthDay(m, d) => (s.year()..=s.year() + 1)
            .filter_map(|y| NaiveDate::from_ymd_opt(y, m, d))
            .find(|date| *date >= s && end.weekday.is_none_or(|w| date.weekday() == w))?,
        Core::SameYear(m, d) => NaiveDate::from_ymd_opt(s.year(), m, d)?,
        Core::SameMonth(d) => NaiveDate::from_ymd_opt(s.year(), s.month(), d)?,
        Core::SameDay => s,
        Core::Invalid => return None,
    };
    let parsed = with_time(date, end)?;
    let ordered = match (parsed.time, start.time) {
        (Some(t_end), Some(t_start)) if parsed.date == s => t_end >= t_start,
        _ => parsed.date >= s,
    };
    (ordered && (parsed.date - s).num_days() <= 366).then_some(parsed)
}

/// Resolves the date group starting at `items[i]`: a lone date, a date relative to the
/// previous one (`同日`), or a range whose end is returned. Returns the date and how many items
/// it used.
fn resolve_group(
    s: &str,
    items: &[Item],
    i: usize,
    previous: Option<ParsedDate>,
    reference: Option<NaiveDate>,
) -> Option<(ParsedDate, usize)> {
    let item = items.get(i)?;
    let relative = matches!(
        item.core,
        Core::SameYear(..) | Core::SameMonth(_) | Core::SameDay
    );
    let this = match previous {
        Some(p) if relative && !item.needs_range => resolve_end(item, p),
        _ => resolve_single(item, reference),
    };
    match items.get(i + 1) {
        Some(next) if is_range_between(&s[item.end..next.start]) => {
            let end = match this {
                Some(start) => resolve_end(next, start)?,
                // The start cannot be placed (month-day only, no reference): a complete end
                // still stands, unless the start is plainly broken.
                None if item.core != Core::Invalid
                    && matches!(next.core, Core::Full(_))
                    && item.time != TimeOfDay::Invalid =>
                {
                    resolve_single(next, reference)?
                }
                None => return None,
            };
            Some((end, 2))
        }
        _ => Some((this?, 1)),
    }
}

/// Resolves all the items of one value: every date group must name the same date (a date
/// written twice, `令和8年6月5日 … 同日必着`), and the value must not end in an open range.
fn resolve_all(s: &str, items: &[Item], reference: Option<NaiveDate>) -> Option<ParsedDate> {
    let last = items.last()?;
    if OPEN_RANGE_AFTER.is_match(&s[last.end..]) {
        return None;
    }
    let mut found: Vec<ParsedDate> = Vec::new();
    let mut i = 0;
    while i < items.len() {
        let (parsed, used) = resolve_group(s, items, i, found.last().copied(), reference)?;
        found.push(parsed);
        i += used;
    }
    let first = found.first()?;
    if !found.iter().all(|p| p.date == first.date) {
        return None;
    }
    let mut times = found.iter().filter_map(|p| p.time);
    let time = times.next();
    if times.any(|t| Some(t) != time) {
        return None;
    }
    Some(ParsedDate {
        date: first.date,
        time,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn date_only(s: &str) -> Option<NaiveDate> {
        parse_date(s, None).map(|p| p.date)
    }

    fn t(h: u32, m: u32) -> Option<NaiveTime> {
        NaiveTime::from_hms_opt(h, m, 0)
    }

    #[test]
    fn test_wareki_forms() {
        assert_eq!(date_only("令和7年5月1日"), Some(d(2025, 5, 1)));
        assert_eq!(date_only("令和元年5月1日"), Some(d(2019, 5, 1)));
        assert_eq!(date_only("R7.5.1"), Some(d(2025, 5, 1)));
        assert_eq!(date_only("R8/5/21"), Some(d(2026, 5, 21)));
        assert_eq!(date_only("令和 6年10月28日"), Some(d(2024, 10, 28)));
        assert_eq!(date_only("令和8年（2026年）1月28日"), Some(d(2026, 1, 28)));
        assert_eq!(date_only("令和８年５月１日"), Some(d(2026, 5, 1)));
        assert_eq!(date_only("令和八年五月一日"), Some(d(2026, 5, 1)));
        assert_eq!(date_only("平成30年12月25日"), Some(d(2018, 12, 25)));
        assert_eq!(date_only("昭和64年1月7日"), Some(d(1989, 1, 7)));
    }

    #[test]
    fn test_invalid_and_era_boundaries_are_rejected() {
        assert_eq!(date_only("令和8年2月30日"), None);
        assert_eq!(date_only("令和元年4月30日"), None);
        assert_eq!(date_only("平成31年5月1日"), None);
        assert_eq!(date_only("令和9年（2026年）1月28日"), None);
        assert_eq!(date_only("令和8年度"), None);
        assert_eq!(date_only("2026年13月1日"), None);
        assert_eq!(date_only("第5回"), None);
    }

    #[test]
    fn test_western_forms_and_iso() {
        assert_eq!(date_only("2026年5月1日"), Some(d(2026, 5, 1)));
        assert_eq!(date_only("2026/5/1"), Some(d(2026, 5, 1)));
        assert_eq!(date_only("2026.08.17"), Some(d(2026, 8, 17)));
        assert_eq!(date_only("2026-05-01"), Some(d(2026, 5, 1)));
        assert_eq!(date_only("２０２６年５月１日"), Some(d(2026, 5, 1)));
        assert_eq!(date_only("二〇二六年五月一日"), Some(d(2026, 5, 1)));
        let iso = parse_date("2026-04-20T00:00:00+09:00", None).unwrap();
        assert_eq!((iso.date, iso.time), (d(2026, 4, 20), None));
        let utc = parse_date("2026-04-20T20:30:00Z", None).unwrap();
        assert_eq!((utc.date, utc.time), (d(2026, 4, 21), t(5, 30)));
    }

    #[test]
    fn test_weekdays_and_times() {
        let p = parse_date("令和8年6月5日（金）午後5時", None).unwrap();
        assert_eq!((p.date, p.time), (d(2026, 6, 5), t(17, 0)));
        assert_eq!(
            parse_date("令和8年6月5日(木)", None),
            None,
            "5 June 2026 is a Friday"
        );
        assert_eq!(
            parse_date("2026年6月5日 正午", None).unwrap().time,
            t(12, 0)
        );
        assert_eq!(
            parse_date("2026年6月5日 17時00分", None).unwrap().time,
            t(17, 0)
        );
        assert_eq!(
            parse_date("2026年6月5日 13:30", None).unwrap().time,
            t(13, 30)
        );
        assert_eq!(
            parse_date("2026年6月5日 午前10時30分", None).unwrap().time,
            t(10, 30)
        );
        assert_eq!(
            parse_date("2026年6月5日 9時半", None).unwrap().time,
            t(9, 30)
        );
        assert_eq!(
            parse_date("2026年6月5日 午後五時", None).unwrap().time,
            t(17, 0)
        );
        assert_eq!(parse_date("2026年6月5日 25時", None), None);
    }

    #[test]
    fn test_ranges_return_the_end() {
        let p = parse_date(
            "令和8年5月1日（金）から令和8年5月20日（水）午後5時まで",
            None,
        )
        .unwrap();
        assert_eq!((p.date, p.time), (d(2026, 5, 20), t(17, 0)));
        assert_eq!(date_only("令和8年5月1日～同月20日"), Some(d(2026, 5, 20)));
        assert_eq!(date_only("2026/5/1~5/20"), Some(d(2026, 5, 20)));
        assert_eq!(date_only("令和8年5月1日～20日"), Some(d(2026, 5, 20)));
        assert_eq!(date_only("令和8年12月21日～1月8日"), Some(d(2027, 1, 8)));
        let p = parse_date("令和8年5月20日 午前9時から午後5時まで", None).unwrap();
        assert_eq!(p.time, t(17, 0));
        assert_eq!(
            date_only("令和8年5月20日～令和8年5月1日"),
            None,
            "end before start"
        );
    }

    #[test]
    fn test_same_date_mentioned_again() {
        let p = parse_date(
            "令和8年6月5日（金）午後5時まで（郵送の場合は同日必着）",
            None,
        )
        .unwrap();
        assert_eq!((p.date, p.time), (d(2026, 6, 5), t(17, 0)));
        assert_eq!(date_only("令和8年6月5日まで（郵送は同月3日必着）"), None);
    }

    #[test]
    fn test_two_unrelated_dates_are_ambiguous() {
        assert_eq!(date_only("令和8年5月20日 又は 令和8年5月22日"), None);
        assert_eq!(
            date_only("令和8年5月1日（2026年5月1日）"),
            Some(d(2026, 5, 1))
        );
    }

    #[test]
    fn test_month_day_needs_a_reference() {
        assert_eq!(parse_date("5月21日", None), None);
        assert_eq!(
            parse_date("5月21日", Some(d(2026, 5, 1))).map(|p| p.date),
            Some(d(2026, 5, 21))
        );
        assert_eq!(
            parse_date("1月8日", Some(d(2026, 12, 20))).map(|p| p.date),
            Some(d(2027, 1, 8))
        );
        assert_eq!(
            parse_date("5月20日", Some(d(2026, 5, 21))),
            None,
            "a year ahead is implausible"
        );
        // 21 May 2027 is a Friday; 21 May 2026 a Thursday.
        assert_eq!(
            parse_date("5月21日(木)", Some(d(2026, 5, 1))).map(|p| p.date),
            Some(d(2026, 5, 21))
        );
        assert_eq!(parse_date("5月21日(金)", Some(d(2026, 5, 1))), None);
    }

    #[test]
    fn test_fiscal_year() {
        assert_eq!(fiscal_year(d(2026, 4, 1)), 2026);
        assert_eq!(fiscal_year(d(2027, 3, 31)), 2026);
        assert_eq!(fiscal_year(d(2026, 3, 31)), 2025);
    }
}
