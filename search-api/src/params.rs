//! Translation of query strings into [`SearchRequest`]s, with every parameter validated.
//!
//! A user's mistake is answered with a [`ParamError`] naming the parameter (HTTP 400), never a 500.

use chrono::NaiveDate;

use indexer::index::{GroupBy, SearchRequest, Sort, Status};
use indexer::{Category, Kind, Method};

/// Longest accepted `q`, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// Largest accepted `per_page`.
pub const MAX_PER_PAGE: u32 = 100;
/// Largest accepted `page`.
pub const MAX_PAGE: u32 = 10_000;

/// Every parameter of a search, in the order the API documentation lists them.
pub const SEARCH_PARAMS: [&str; 16] = [
    "q",
    "kind",
    "prefecture",
    "municipality",
    "category",
    "method",
    "status",
    "published_from",
    "published_to",
    "deadline_from",
    "deadline_to",
    "amount_min",
    "amount_max",
    "sort",
    "page",
    "per_page",
];

/// A bad query parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{param}: {message}")]
pub struct ParamError {
    /// The parameter's name.
    pub param: String,
    /// What is wrong with it.
    pub message: String,
}

fn bad(param: &str, message: impl Into<String>) -> ParamError {
    ParamError {
        param: param.to_string(),
        message: message.into(),
    }
}

/// The decoded `(key, value)` pairs of a query string.
pub fn pairs(query: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn date(param: &str, value: &str) -> Result<NaiveDate, ParamError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        bad(
            param,
            format!("{value:?} is not a date of the form YYYY-MM-DD"),
        )
    })
}

fn number<T: std::str::FromStr>(param: &str, value: &str) -> Result<T, ParamError> {
    value.parse::<T>().map_err(|_| {
        bad(
            param,
            format!("{value:?} is not a non-negative whole number"),
        )
    })
}

/// Parses the search parameters of a query string into a [`SearchRequest`].
///
/// `extra` names parameters besides [`SEARCH_PARAMS`] that the caller handles itself (e.g.
/// `group_by`); any other name is an error.
pub fn parse_search(
    pairs: &[(String, String)],
    extra: &[&str],
) -> Result<SearchRequest, ParamError> {
    let mut req = SearchRequest::default();
    for (key, value) in pairs {
        let value = value.trim();
        // An empty value is "not set": HTML forms send every field.
        if value.is_empty() {
            continue;
        }
        if !SEARCH_PARAMS.contains(&key.as_str()) {
            if extra.contains(&key.as_str()) {
                continue;
            }
            return Err(bad(key, "unknown parameter"));
        }
        match key.as_str() {
            "q" => {
                if value.chars().count() > MAX_QUERY_CHARS {
                    return Err(bad(
                        "q",
                        format!("longer than {MAX_QUERY_CHARS} characters"),
                    ));
                }
                if value.chars().filter(|c| *c == '"').count() % 2 == 1 {
                    return Err(bad("q", "unbalanced quotes"));
                }
                req.q = Some(value.to_string());
            }
            "kind" => {
                req.kind = Some(
                    Kind::parse(value)
                        .ok_or_else(|| bad("kind", format!("{value:?} is not notice or award")))?,
                );
            }
            "prefecture" => req.prefecture.push(value.to_string()),
            "municipality" => req.municipality.push(value.to_string()),
            "category" => req
                .category
                .push(Category::from_label(value).ok_or_else(|| {
                    bad(
                        "category",
                        format!("{value:?} is not one of 物品, 工事, 役務"),
                    )
                })?),
            "method" => req.method.push(Method::from_label(value).ok_or_else(|| {
                let all: Vec<&str> = Method::ALL.iter().map(|m| m.label()).collect();
                bad(
                    "method",
                    format!("{value:?} is not one of {}", all.join(", ")),
                )
            })?),
            "status" => {
                req.status = Some(match value {
                    "open" => Status::Open,
                    "closed" => Status::Closed,
                    _ => return Err(bad("status", format!("{value:?} is not open or closed"))),
                })
            }
            "published_from" => req.published_from = Some(date(key, value)?),
            "published_to" => req.published_to = Some(date(key, value)?),
            "deadline_from" => req.deadline_from = Some(date(key, value)?),
            "deadline_to" => req.deadline_to = Some(date(key, value)?),
            "amount_min" => req.amount_min = Some(number(key, value)?),
            "amount_max" => req.amount_max = Some(number(key, value)?),
            "sort" => {
                req.sort = match value {
                    "relevance" => Sort::Relevance,
                    "deadline" => Sort::Deadline,
                    "published" => Sort::Published,
                    "amount" => Sort::Amount,
                    _ => {
                        return Err(bad(
                            "sort",
                            format!("{value:?} is not relevance, deadline, published or amount"),
                        ));
                    }
                }
            }
            "page" => {
                let page: u32 = number(key, value)?;
                if page == 0 || page > MAX_PAGE {
                    return Err(bad("page", format!("must be between 1 and {MAX_PAGE}")));
                }
                req.page = page;
            }
            "per_page" => {
                let per_page: u32 = number(key, value)?;
                if per_page == 0 || per_page > MAX_PER_PAGE {
                    return Err(bad(
                        "per_page",
                        format!("must be between 1 and {MAX_PER_PAGE}"),
                    ));
                }
                req.per_page = per_page;
            }
            other => return Err(bad(other, "unknown parameter")),
        }
    }
    for (from, to, name) in [
        (req.published_from, req.published_to, "published_from"),
        (req.deadline_from, req.deadline_to, "deadline_from"),
    ] {
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(bad(name, "is after the matching _to date"));
        }
    }
    if let (Some(min), Some(max)) = (req.amount_min, req.amount_max)
        && min > max
    {
        return Err(bad("amount_min", "is larger than amount_max"));
    }
    Ok(req)
}

/// The value of `group_by` for award statistics (required).
pub fn parse_group_by(pairs: &[(String, String)]) -> Result<GroupBy, ParamError> {
    let values: Vec<&str> = pairs
        .iter()
        .filter(|(k, v)| k == "group_by" && !v.trim().is_empty())
        .map(|(_, v)| v.trim())
        .collect();
    match values.as_slice() {
        [] => Ok(GroupBy::Winner),
        [one] => GroupBy::parse(one).ok_or_else(|| {
            bad(
                "group_by",
                format!("{one:?} is not one of {}", GROUP_BY.join(", ")),
            )
        }),
        _ => Err(bad("group_by", "given more than once")),
    }
}

/// The accepted values of `group_by`.
pub const GROUP_BY: [&str; 6] = [
    "winner",
    "buyer",
    "municipality",
    "category",
    "method",
    "year",
];

/// The value of a single-valued parameter, if set (empty values are unset).
pub fn single<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, v)| k == key && !v.trim().is_empty())
        .map(|(_, v)| v.trim())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse(q: &str) -> Result<SearchRequest, ParamError> {
        parse_search(&pairs(Some(q)), &[])
    }

    #[test]
    fn good_parameters() {
        let req = parse("q=%E7%B5%A6%E9%A3%9F&kind=notice&municipality=362077&municipality=%E7%94%B0%E6%9D%91%E5%B8%82&status=open&deadline_from=2026-12-01&sort=deadline&page=2&per_page=50&category=%E5%BD%B9%E5%8B%99").unwrap();
        assert_eq!(req.q.as_deref(), Some("給食"));
        assert_eq!(req.kind, Some(Kind::Notice));
        assert_eq!(req.municipality, ["362077", "田村市"]);
        assert_eq!(req.status, Some(Status::Open));
        assert_eq!(req.category, [Category::Services]);
        assert_eq!(req.page, 2);
        assert_eq!(req.per_page, 50);
        assert!(matches!(req.sort, Sort::Deadline));
    }

    #[test]
    fn every_listed_parameter_is_understood() {
        for key in SEARCH_PARAMS {
            let value = match key {
                "kind" => "notice",
                "category" => "物品",
                "method" => "随意契約",
                "status" => "open",
                "sort" => "deadline",
                k if k.ends_with("_from") || k.ends_with("_to") => "2026-04-01",
                "q" | "prefecture" | "municipality" => "給食",
                _ => "3",
            };
            let r = parse_search(&[(key.to_string(), value.to_string())], &[]);
            assert!(r.is_ok(), "{key}={value}: {r:?}");
            assert_ne!(
                r.unwrap(),
                SearchRequest::default(),
                "{key} must change the request"
            );
        }
    }

    #[test]
    fn group_by_values() {
        let p = |q: &str| parse_group_by(&pairs(Some(q)));
        assert_eq!(p("group_by=year").unwrap(), GroupBy::Year);
        assert_eq!(p("").unwrap(), GroupBy::Winner);
        assert_eq!(p("group_by=colour").unwrap_err().param, "group_by");
        assert_eq!(
            p("group_by=year&group_by=buyer").unwrap_err().param,
            "group_by"
        );
        for g in GROUP_BY {
            assert!(p(&format!("group_by={g}")).is_ok(), "{g}");
        }
    }

    #[test]
    fn empty_values_are_unset() {
        let req = parse("q=&kind=&page=").unwrap();
        assert_eq!(req.q, None);
        assert_eq!(req.page, 1);
    }

    #[test]
    fn each_mistake_names_its_parameter() {
        for (query, param) in [
            ("kind=tender", "kind"),
            ("status=soon", "status"),
            ("deadline_from=2026-02-30", "deadline_from"),
            ("published_to=yesterday", "published_to"),
            ("page=0", "page"),
            ("page=-1", "page"),
            ("page=99999999999", "page"),
            ("per_page=101", "per_page"),
            ("amount_min=-5", "amount_min"),
            ("sort=random", "sort"),
            ("category=%E9%A3%9F%E5%93%81", "category"),
            ("method=auction", "method"),
            ("q=%22abc", "q"),
            ("colour=red", "colour"),
            (
                "deadline_from=2026-12-02&deadline_to=2026-12-01",
                "deadline_from",
            ),
            ("amount_min=10&amount_max=5", "amount_min"),
        ] {
            let err = parse(query).unwrap_err();
            assert_eq!(err.param, param, "{query}: {err}");
        }
        let err = parse_search(&pairs(Some("group_by=winner")), &[]).unwrap_err();
        assert_eq!(err.param, "group_by");
        assert!(parse_search(&pairs(Some("group_by=winner")), &["group_by"]).is_ok());
        let long = format!("q={}", "あ".repeat(MAX_QUERY_CHARS + 1));
        assert_eq!(parse(&long).unwrap_err().param, "q");
    }
}
