//! Places a record on the map: its 全国地方公共団体コード, prefecture and municipality.

use indexer::Record;

use super::{Municipality, MunicipalityKind, by_code, resolve_buyer};

/// Fills a record's `municipality_code`, `prefecture` and `municipality`.
///
/// The code comes from the record itself (a source such as KKJ states it), else from the
/// source's own `municipality_code` (a municipal site speaks for its body), else from the buyer's
/// name. A code with a bad check digit is dropped rather than trusted. Names the record already
/// has are kept; missing ones are taken from the code table.
pub fn locate(record: &mut Record, source_code: Option<&str>) {
    let stated = record.municipality_code.as_deref().and_then(by_code);
    let found: Option<&'static Municipality> = stated
        .or_else(|| source_code.and_then(by_code))
        .or_else(|| record.buyer.as_deref().and_then(resolve_buyer));
    let Some(place) = found else {
        if record.municipality_code.is_some() {
            tracing::debug!(id = %record.id, code = ?record.municipality_code, "unknown municipality code dropped");
            record.municipality_code = None;
        }
        return;
    };
    record.municipality_code = Some(place.code.to_string());
    if record.prefecture.is_none() {
        record.prefecture = Some(place.prefecture.to_string());
    }
    if record.municipality.is_none() && place.kind != MunicipalityKind::Prefecture {
        record.municipality = Some(place.full_name());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indexer::Kind;

    fn record(buyer: Option<&str>, code: Option<&str>) -> Record {
        let mut r = Record::new(
            "t:1",
            Kind::Notice,
            "t",
            "http://127.0.0.1/",
            "庁舎清掃業務",
        );
        r.buyer = buyer.map(str::to_string);
        r.municipality_code = code.map(str::to_string);
        r
    }

    #[test]
    fn stated_code_then_source_code_then_buyer() {
        let mut r = record(Some("福島県田村市"), Some("36207"));
        locate(&mut r, Some("072117"));
        assert_eq!(r.municipality_code.as_deref(), Some("362077"));
        assert_eq!(r.municipality.as_deref(), Some("美馬市"));
        assert_eq!(r.prefecture.as_deref(), Some("徳島県"));

        let mut r = record(Some("教育委員会 学校給食センター"), None);
        locate(&mut r, Some("072117"));
        assert_eq!(r.municipality_code.as_deref(), Some("072117"));
        assert_eq!(r.municipality.as_deref(), Some("田村市"));

        let mut r = record(Some("千代田区総務部"), None);
        locate(&mut r, None);
        assert_eq!(r.municipality_code.as_deref(), Some("131016"));
        assert_eq!(r.prefecture.as_deref(), Some("東京都"));
    }

    #[test]
    fn bad_codes_and_national_bodies_get_no_place() {
        let mut r = record(Some("デジタル庁"), Some("362078"));
        locate(&mut r, None);
        assert_eq!(r.municipality_code, None);
        assert_eq!(r.municipality, None);
    }
}
