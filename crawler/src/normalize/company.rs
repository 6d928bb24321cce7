//! Company names: legal-form abbreviations expanded, width folded, spaces removed; a match key
//! for statistics; joint ventures (共同企業体) split into their members.

use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

use super::text::normalize_text;

/// Abbreviated legal forms, as they read after NFKC (`㈱` and `（株）` both become `(株)`),
/// with the full form. Longer abbreviations come first.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("(一般社団法人)", "一般社団法人"),
    ("(特定非営利活動法人)", "特定非営利活動法人"),
    ("(株式会社)", "株式会社"),
    ("(有限会社)", "有限会社"),
    ("(合同会社)", "合同会社"),
    ("(一般社)", "一般社団法人"),
    ("(一般財)", "一般財団法人"),
    ("(一社)", "一般社団法人"),
    ("(一財)", "一般財団法人"),
    ("(公社)", "公益社団法人"),
    ("(公財)", "公益財団法人"),
    ("(特非)", "特定非営利活動法人"),
    ("(NPO)", "特定非営利活動法人"),
    ("NPO法人", "特定非営利活動法人"),
    ("(社福)", "社会福祉法人"),
    ("(福)", "社会福祉法人"),
    ("(医)", "医療法人"),
    ("(医社)", "医療法人社団"),
    ("(医財)", "医療法人財団"),
    ("(学)", "学校法人"),
    ("(独)", "独立行政法人"),
    ("(国)", "国立大学法人"),
    ("(宗)", "宗教法人"),
    ("(企)", "企業組合"),
    ("(協)", "協同組合"),
    ("(事)", "事業協同組合"),
    ("(合同)", "合同会社"),
    ("(同)", "合同会社"),
    ("(資)", "合資会社"),
    ("(名)", "合名会社"),
    ("(株)", "株式会社"),
    ("(有)", "有限会社"),
    ("(財)", "財団法人"),
    ("(社)", "社団法人"),
];

/// Full legal forms, longest first, removed by [`company_match_key`].
const LEGAL_FORMS: &[&str] = &[
    "特定非営利活動法人",
    "地方独立行政法人",
    "一般社団法人",
    "一般財団法人",
    "公益社団法人",
    "公益財団法人",
    "独立行政法人",
    "国立大学法人",
    "社会福祉法人",
    "医療法人社団",
    "医療法人財団",
    "事業協同組合",
    "有限責任事業組合",
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "医療法人",
    "学校法人",
    "宗教法人",
    "企業組合",
    "協同組合",
    "財団法人",
    "社団法人",
];

/// Returns a company name normalised for display and storage: NFKC (width folded, `㈱` →
/// `(株)`), spaces removed, and abbreviated legal forms expanded where they are written:
/// `(株)山田建設` → `株式会社山田建設` (前株), `山田建設(株)` → `山田建設株式会社` (後株), `(有)`
/// → 有限会社, `(同)` → 合同会社, `(一社)` → 一般社団法人, `(特非)` / `NPO法人` →
/// 特定非営利活動法人 and the other forms. A trailing representative (`代表取締役 山田太郎`) or
/// honorific (`様`, `御中`) is dropped. Idempotent.
pub fn normalize_company(s: &str) -> String {
    // Removing spaces can bring a combining mark next to a letter: renormalise.
    let spaceless: String = normalize_text(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut name: String = spaceless.nfkc().collect();
    // A representative's title and name, or an honorific, after the company name.
    loop {
        let stripped = TRAILING_PERSON.replace(&name, "${1}").into_owned();
        if stripped == name {
            break;
        }
        name = stripped;
    }
    // Each expansion removes two parentheses, so this ends; repeating it makes the function
    // idempotent on nested input such as `((株))`.
    loop {
        let before = name.len();
        for (abbr, full) in ABBREVIATIONS {
            if name.contains(abbr) {
                name = name.replace(abbr, full);
            }
        }
        if name.len() == before {
            break;
        }
    }
    expand_half_parens(&name)
}

/// `山田建設株式会社代表取締役山田太郎`, `山田建設株式会社様`: the part after the name is dropped.
static TRAILING_PERSON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(.{2,}?)(?:(?:代表取締役社長|代表取締役|代表社員|代表理事|理事長)[^()]*|様|殿|御中)$",
    )
    .expect("static regex")
});

/// Expands `株)山田建設` at the start and `山田建設(株` at the end: some systems drop one
/// parenthesis of the abbreviation.
fn expand_half_parens(name: &str) -> String {
    let mut out = name.to_string();
    for (short, full) in [("株", "株式会社"), ("有", "有限会社")] {
        let prefix = format!("{short})");
        let suffix = format!("({short}");
        if let Some(rest) = out.strip_prefix(&prefix)
            && !rest.is_empty()
            && !rest.contains(')')
        {
            out = format!("{full}{rest}");
        } else if let Some(rest) = out.strip_suffix(&suffix)
            && !rest.is_empty()
            && !rest.contains('(')
        {
            out = format!("{rest}{full}");
        }
    }
    out
}

/// Returns the key under which spellings of one company are counted together: the normalised
/// name with every legal form removed wherever it stands, so that 株式会社山田建設, 山田建設株式会社
/// and ㈱山田建設 share a key. Names that merely look alike (山田建設 and 山田建設工業) keep
/// different keys. A name that is nothing but a legal form keeps it.
pub fn company_match_key(s: &str) -> String {
    let normalized = normalize_company(s);
    let mut key = normalized.clone();
    for form in LEGAL_FORMS {
        key = key.replace(form, "");
    }
    if key.is_empty() { normalized } else { key }
}

/// Markers of a joint venture, at the end of its name.
static JV_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:特定建設工事共同企業体|経常建設共同企業体|特定共同企業体|経常共同企業体|建設共同企業体|共同企業体|共同事業体|設計共同体|特定JV|経常JV|JV|ジョイントベンチャー)$",
    )
    .expect("static regex")
});

/// `代表者 X 構成員 Y` lists inside parentheses: `○○JV(代表:株式会社A、構成員:株式会社B)`.
static JV_LISTING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.*?)\((?:代表(?:者|構成員)?)[:]?(.+?)[、,](?:構成員|その他の構成員)[:]?(.+)\)$")
        .expect("static regex")
});

/// Splits a joint venture into its members: `山田・川本特定建設工事共同企業体` → `[山田, 川本]`,
/// `A建設・B工業JV` → `[A建設, B工業]`, `中央JV(代表:株式会社A、構成員:株式会社B)` →
/// `[株式会社A, 株式会社B]`. Members are normalised with [`normalize_company`].
///
/// A name that is not marked as a joint venture, or whose members cannot be told apart with
/// certainty (no separator, a one-character piece), is returned alone, normalised.
pub fn split_joint_venture(s: &str) -> Vec<String> {
    let name = normalize_company(s);
    if let Some(caps) = JV_LISTING.captures(&name)
        && JV_SUFFIX.is_match(&caps[1])
    {
        let mut members = vec![caps[2].to_string()];
        members.extend(caps[3].split(['、', ',']).map(str::to_string));
        let members: Vec<String> = members
            .iter()
            .map(|m| normalize_company(m))
            .filter(|m| !m.is_empty())
            .collect();
        if members.len() >= 2 && members.iter().all(|m| m.chars().count() >= 2) {
            return members;
        }
        return vec![name];
    }
    let Some(marker) = JV_SUFFIX.find(&name) else {
        return vec![name];
    };
    let core = &name[..marker.start()];
    let pieces: Vec<&str> = core.split(['・', '、', ',', '/', '=']).collect();
    if pieces.len() < 2 || pieces.iter().any(|p| p.chars().count() < 2) {
        return vec![name];
    }
    pieces.iter().map(|p| normalize_company(p)).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn test_normalize_company_expands_legal_forms_in_place() {
        assert_eq!(normalize_company("㈱山田建設"), "株式会社山田建設");
        assert_eq!(normalize_company("山田建設（株）"), "山田建設株式会社");
        assert_eq!(normalize_company("(有) 川本 設備"), "有限会社川本設備");
        assert_eq!(
            normalize_company("Ｐｏｌｅ＆Ｌｉｎｅ合同会社"),
            "Pole&Line合同会社"
        );
        assert_eq!(
            normalize_company("（一社）地域づくり協会"),
            "一般社団法人地域づくり協会"
        );
        assert_eq!(
            normalize_company("NPO法人ひだまり"),
            "特定非営利活動法人ひだまり"
        );
        assert_eq!(
            normalize_company("（特非）ひだまり"),
            "特定非営利活動法人ひだまり"
        );
        assert_eq!(normalize_company("株式会社　東北"), "株式会社東北");
    }

    #[test]
    fn test_match_key_joins_front_and_back_forms_only() {
        assert_eq!(
            company_match_key("株式会社山田建設"),
            company_match_key("山田建設(株)")
        );
        assert_eq!(company_match_key("㈱山田建設"), "山田建設");
        assert_ne!(
            company_match_key("株式会社東北"),
            company_match_key("株式会社東北電機")
        );
        assert_eq!(company_match_key("株式会社"), "株式会社");
    }

    #[test]
    fn test_split_joint_venture() {
        assert_eq!(
            split_joint_venture("山田・川本特定建設工事共同企業体"),
            vec!["山田", "川本"]
        );
        assert_eq!(
            split_joint_venture("A建設・B工業JV"),
            vec!["A建設", "B工業"]
        );
        assert_eq!(
            split_joint_venture("中央地区JV（代表：㈱山田建設、構成員：川本工業㈱）"),
            vec!["株式会社山田建設", "川本工業株式会社"]
        );
        assert_eq!(
            split_joint_venture("株式会社ティー・エス・ケー"),
            vec!["株式会社ティー・エス・ケー"]
        );
        assert_eq!(
            split_joint_venture("山田特定建設工事共同企業体"),
            vec!["山田特定建設工事共同企業体"]
        );
    }
}
