//! Buyer names (発注機関 / 担当課 strings as notices write them) resolved to a
//! 全国地方公共団体コード.
//!
//! A wrong code is worse than none, so [`resolve_buyer`] answers only when the name leaves no
//! doubt: the buyer must *start* with the place name (the prefecture may be omitted), an
//! ambiguous municipality name (府中市, 伊達市, 森町 …) needs its prefecture, and anything that is
//! not the local government itself — national bodies with a place in their name (北海道開発局,
//! 北海道大学), companies, 一部事務組合, 広域連合, 公社, 財団, other 法人 — gives `None`.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::municipality::{Municipality, MunicipalityKind, municipalities, prefectures};
use crate::normalize::text::normalize_text;

/// Entities that carry a place name but are not the local government itself, wherever they
/// appear in the buyer name: companies, 法人 of every kind, 一部事務組合 and other unions, 広域連合,
/// 企業団, 公社, 公団, 事業団, 財団, 社団, 機構, 協議会 (社会福祉協議会), 協会, 商工会議所,
/// シルバー人材センター.
const OTHER_ENTITY_MARKERS: &[&str] = &[
    "株式会社",
    "(株)",
    "有限会社",
    "(有)",
    "合同会社",
    "法人",
    "組合",
    "広域連合",
    "企業団",
    "公社",
    "公団",
    "事業団",
    "財団",
    "社団",
    "機構",
    "協議会",
    "協会",
    "会議所",
    "人材センター",
];

/// National bodies whose names start with a place name (北海道開発局, 北海道大学 …): when what
/// follows the place name starts with one of these, the buyer is not the local government.
const NATIONAL_HEADS: &[&str] = &[
    "開発局",
    "開発建設部",
    "防衛局",
    "防衛支局",
    "運輸局",
    "運輸支局",
    "労働局",
    "財務局",
    "財務事務所",
    "森林管理",
    "農政",
    "経済産業局",
    "総合通信局",
    "厚生局",
    "管区",
    "国税局",
    "税務署",
    "法務局",
    "地方法務局",
    "検察庁",
    "地方検察庁",
    "裁判所",
    "地方裁判所",
    "家庭裁判所",
    "大学",
    "教育大学",
    "旅客鉄道",
    "電力",
    "税関",
    "空港",
    "環境事務所",
    "地方環境事務所",
    "刑務所",
    "拘置所",
    "少年院",
    "気象台",
    "地方気象台",
    "年金事務所",
    "労働基準監督署",
    "公共職業安定所",
    "河川国道事務所",
    "国道事務所",
    "港湾事務所",
    "海上保安",
    "自衛隊",
    "地方協力本部",
    "郵便",
];

/// Extra spellings seen in data for official names (older editions of the dataset, or the
/// hiragana form of a katakana name): folded key → code.
const ALIASES: &[(&str, &str)] = &[("上の国町", "013625"), ("にせこ町", "013951")];

/// After a prefecture, text that names a municipality we do not know (a former municipality, a
/// misspelling): `船引町`, `船引町役場`, `北区役所`, `双葉郡…`. The prefecture alone would then be a wrong
/// answer, so the buyer is left unresolved.
static UNKNOWN_PLACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[\p{Han}\p{Hiragana}\p{Katakana}ー]{1,5}?(?:[市町村](?:$|役所|役場|長|議会|教育委員会|総務|財政|契約|管財|企画|建設|水道|上下水道|消防)|区(?:$|役所|長)|郡)",
    )
    .expect("static regex")
});

/// A 郡 name before a town or village: `双葉郡浪江町`, `安芸郡府中町`.
static DISTRICT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[\p{Han}\p{Hiragana}\p{Katakana}ー]{1,5}?郡").expect("static regex")
});

/// Name indexes over the code table, keyed by [`fold`]ed names.
struct NameIndex {
    /// Prefecture names → prefecture.
    prefectures: HashMap<String, &'static Municipality>,
    /// Municipality and special-ward names → every row of that name, across prefectures.
    municipal: HashMap<String, Vec<&'static Municipality>>,
    /// (designated city code, ward name) → ward.
    wards: HashMap<(&'static str, String), &'static Municipality>,
    /// The longest key, in characters.
    max_chars: usize,
}

static INDEX: LazyLock<NameIndex> = LazyLock::new(|| {
    let mut index = NameIndex {
        prefectures: HashMap::new(),
        municipal: HashMap::new(),
        wards: HashMap::new(),
        max_chars: 0,
    };
    for p in prefectures() {
        index.prefectures.insert(fold(p.name), p);
    }
    for m in municipalities() {
        let key = fold(m.name);
        index.max_chars = index.max_chars.max(key.chars().count());
        match (m.kind, m.parent) {
            (MunicipalityKind::DesignatedCityWard, Some(city)) => {
                index.wards.insert((city, key), m);
            }
            _ => index.municipal.entry(key).or_default().push(m),
        }
    }
    for (alias, code) in ALIASES {
        if let Some(m) = municipalities().iter().find(|m| m.code == *code) {
            index.municipal.entry(fold(alias)).or_default().push(m);
        }
    }
    index
});

/// The form names are compared in: [`normalize_text`], no whitespace, and variant characters
/// folded (ヶ/ケ, ヵ/カ, 檜/桧, 檮/梼, 鰺/鯵, 龍/竜, 﨑/崎, 髙/高, 澤/沢, 邊/邉/辺).
fn fold(s: &str) -> String {
    normalize_text(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            'ヶ' => 'ケ',
            'ヵ' => 'カ',
            '檜' => '桧',
            '檮' => '梼',
            '鰺' => '鯵',
            '龍' => '竜',
            '﨑' => '崎',
            '髙' => '高',
            '澤' => '沢',
            '邊' | '邉' => '辺',
            other => other,
        })
        .collect()
}

/// The longest key of `map` that `s` starts with (at most `max_chars` characters), as (its
/// length in bytes, its value).
fn prefixes<'a, V>(
    s: &str,
    max_chars: usize,
    map: impl Fn(&str) -> Option<&'a V>,
) -> Option<(usize, &'a V)> {
    let ends: Vec<usize> = s
        .char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .take(max_chars)
        .collect();
    ends.into_iter()
        .rev()
        .find_map(|end| map(&s[..end]).map(|v| (end, v)))
}

/// What the municipal part of a buyer name resolved to.
enum Municipal {
    /// No municipality name at the start.
    Absent,
    /// Exactly one municipality, and the rest of the text after its name.
    Found(&'static Municipality, usize),
    /// A name shared by several municipalities, or one inconsistent with the prefecture.
    Doubtful,
}

/// Looks for a municipality name at the start of `s`, within `prefecture` when known.
///
/// A 郡 name is tried first (`東村山郡山辺町` is not 東村), and only a town or village may follow
/// it; when none does, the name is read directly (`蒲郡市`, `大和郡山市`).
fn municipal_at(index: &NameIndex, s: &str, prefecture: Option<&Municipality>) -> Municipal {
    let in_district = DISTRICT.find(s).and_then(|district| {
        let rest = &s[district.end()..];
        prefixes(rest, index.max_chars, |k| index.municipal.get(k))
            .map(|(end, c)| (district.end() + end, c))
    });
    let (end, candidates) = match in_district {
        Some((end, c)) if c.iter().all(|m| m.name.ends_with(['町', '村'])) => (end, c),
        Some(_) => return Municipal::Doubtful,
        None => match prefixes(s, index.max_chars, |k| index.municipal.get(k)) {
            Some(found) => found,
            None => return Municipal::Absent,
        },
    };
    let mut matching = candidates
        .iter()
        .filter(|m| prefecture.is_none_or(|p| p.prefecture == m.prefecture));
    match (matching.next(), matching.next()) {
        (Some(m), None) => Municipal::Found(m, end),
        _ => Municipal::Doubtful,
    }
}

/// Resolves a buyer name as sources write it to its row in the code table: the municipality
/// (or designated-city ward, or special ward) it names, or the prefecture when it names only a
/// prefecture.
///
/// The place name must open the buyer name; the prefecture may be omitted. Examples:
/// `千代田区`, `東京都千代田区`, `福島県田村市` and `福島県 田村市 総務課` (KKJ's
/// `OrganizationName` style), `美馬市総務課`, `美馬市教育委員会`, `札幌市中央区`,
/// `北海道札幌市中央区役所`, `福島県双葉郡浪江町`, `北海道` and `東京都財務局` (the prefecture).
///
/// Returns `None` for:
/// - national bodies (`デジタル庁`, `国土交通省 東北地方整備局`, and `北海道開発局`,
///   `北海道大学` and other national bodies that begin with a place name);
/// - names shared by several municipalities without a prefecture to tell them apart (`府中市`,
///   `伊達市`), or whose prefecture contradicts the municipality;
/// - companies, 法人, 一部事務組合 and other unions, 広域連合, 公社, 財団, 協議会 and the like,
///   even when they carry a municipality's name;
/// - a prefecture followed by a municipality name not in the table (a former municipality).
///
/// A designated-city ward written alone (`中央区` without `札幌市`) is not recognised, except for
/// Tokyo's special wards, which are municipalities in their own right: `北区` is 東京都北区.
pub fn resolve_buyer(buyer: &str) -> Option<&'static Municipality> {
    let s = fold(buyer);
    if s.is_empty() || OTHER_ENTITY_MARKERS.iter().any(|m| s.contains(m)) {
        return None;
    }
    let index = &*INDEX;
    let prefecture = prefixes(&s, 4, |k| index.prefectures.get(k));
    let (prefecture, rest) = match prefecture {
        Some((end, &p)) => (Some(p), &s[end..]),
        None => (None, s.as_str()),
    };
    let (found, tail) = match municipal_at(index, rest, prefecture) {
        Municipal::Doubtful => return None,
        Municipal::Absent => {
            let p = prefecture?;
            if UNKNOWN_PLACE.is_match(rest) {
                return None;
            }
            (p, rest)
        }
        Municipal::Found(m, end) => {
            let after = &rest[end..];
            let ward = prefixes(after, index.max_chars, |k| {
                index.wards.get(&(m.code, k.to_string()))
            });
            match ward {
                Some((ward_end, &w)) => (w, &after[ward_end..]),
                None => (m, after),
            }
        }
    };
    // National bodies write a prefecture's short name (東京国税局, 福島労働局), so after 東京都,
    // 大阪府 or 福島県 a bureau is the prefecture's own (東京都財務局); 北海道 has no short name.
    let prefecture_suffixed =
        found.kind == MunicipalityKind::Prefecture && found.name.ends_with(['都', '府', '県']);
    if !prefecture_suffixed && NATIONAL_HEADS.iter().any(|h| tail.starts_with(h)) {
        return None;
    }
    Some(found)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn code(buyer: &str) -> Option<&'static str> {
        resolve_buyer(buyer).map(|m| m.code)
    }

    #[test]
    fn test_examples_from_the_brief() {
        assert_eq!(code("千代田区"), Some("131016"));
        assert_eq!(code("東京都千代田区"), Some("131016"));
        assert_eq!(code("福島県田村市"), Some("072117"));
        assert_eq!(code("美馬市総務課"), Some("362077"));
        assert_eq!(code("美馬市教育委員会"), Some("362077"));
        assert_eq!(code("北海道"), Some("010006"));
        assert_eq!(code("札幌市中央区"), Some("011011"));
        assert_eq!(code("札幌市"), Some("011002"));
        assert_eq!(code("デジタル庁"), None);
        assert_eq!(code("国土交通省 東北地方整備局"), None);
    }

    #[test]
    fn test_ambiguous_names_need_their_prefecture() {
        assert_eq!(code("府中市"), None);
        assert_eq!(code("東京都府中市"), Some("132063"));
        assert_eq!(code("広島県府中市"), Some("342084"));
        assert_eq!(code("伊達市役所"), None);
        assert_eq!(code("福島県伊達市"), Some("072133"));
        assert_eq!(code("北海道伊達市"), Some("012335"));
        // A prefecture that contradicts the municipality.
        assert_eq!(code("福島県美馬市"), None);
    }

    #[test]
    fn test_longest_match_and_districts() {
        assert_eq!(code("東村山市"), Some("132136"));
        assert_eq!(code("東京都東村山市総務部"), Some("132136"));
        assert_eq!(code("東京都立川市"), Some("132021"));
        assert_eq!(code("福島県双葉郡浪江町"), Some("075477"));
        assert_eq!(code("山形県東村山郡山辺町"), Some("063011"));
        assert_eq!(code("東村山郡山辺町"), Some("063011"));
        assert_eq!(code("蒲郡市"), Some("232149"));
        assert_eq!(code("奈良県大和郡山市"), Some("292036"));
        assert_eq!(code("名古屋市中川区役所"), Some("231100"));
        assert_eq!(code("名古屋市中区"), Some("231061"));
    }

    #[test]
    fn test_not_the_local_government() {
        assert_eq!(code("北海道開発局"), None);
        assert_eq!(code("北海道大学"), None);
        assert_eq!(code("田村市社会福祉協議会"), None);
        assert_eq!(code("東京都住宅供給公社"), None);
        assert_eq!(code("美馬西部一部事務組合"), None);
        assert_eq!(code("福島県船引町"), None);
        assert_eq!(code(""), None);
    }

    #[test]
    fn test_every_row_resolves_from_its_full_name() {
        use std::collections::HashMap;
        // Names shared within a prefecture (北海道's two 泊村) or across prefectures never resolve.
        let (mut by_name, mut by_pref_name) = (HashMap::new(), HashMap::new());
        for m in municipalities().iter().filter(|m| m.parent.is_none()) {
            *by_name.entry(m.name).or_insert(0) += 1;
            *by_pref_name.entry((m.prefecture, m.name)).or_insert(0) += 1;
        }
        for p in prefectures() {
            assert_eq!(code(p.name), Some(p.code), "{}", p.name);
        }
        for m in municipalities() {
            let city = m.parent().unwrap_or(m);
            let unique = by_pref_name[&(city.prefecture, city.name)] == 1;
            let expected = unique.then_some(m.code);
            let full = format!("{}{}", m.prefecture, m.full_name());
            assert_eq!(code(&full), expected, "{full}");
            assert_eq!(code(&format!("{full} 総務課")), expected, "{full} 総務課");
            if m.parent.is_none() {
                let alone = (by_name[m.name] == 1).then_some(m.code);
                assert_eq!(code(m.name), alone, "{}", m.name);
            }
        }
    }

    #[test]
    fn test_variant_spellings() {
        assert_eq!(code("竜ケ崎市"), Some("082082"));
        assert_eq!(code("茅ケ崎市役所"), Some("142077"));
        assert_eq!(code("上の国町"), Some("013625"));
        assert_eq!(code("東京都 千代田区"), Some("131016"));
        assert_eq!(code("ﾁﾖﾀﾞ"), None);
    }
}
