//! The code tables of the p-portal award open data (spec §3.1 府省コード, §3.2 入札方式コード).

use indexer::Method;

/// 府省コード → the body's name.
const MINISTRIES: &[(&str, &str)] = &[
    ("A1", "衆議院"),
    ("B1", "参議院"),
    ("C1", "国立国会図書館"),
    ("D1", "最高裁判所"),
    ("E1", "会計検査院"),
    ("F1", "人事院"),
    ("F2", "国家公務員倫理審査会"),
    ("G1", "内閣官房"),
    ("H1", "内閣法制局"),
    ("I1", "安全保障会議"),
    ("J1", "内閣府"),
    ("J2", "宮内庁"),
    ("J3", "公正取引委員会"),
    ("J4", "国家公安委員会"),
    ("J5", "警察庁"),
    ("J6", "金融庁"),
    ("J7", "消費者庁"),
    ("J8", "個人情報保護委員会"),
    ("J9", "カジノ管理委員会"),
    ("JA", "こども家庭庁"),
    ("JB", "サイバー通信情報監理委員会"),
    ("K1", "総務省"),
    ("K2", "公害等調整委員会"),
    ("K3", "消防庁"),
    ("L1", "法務省"),
    ("L2", "検察庁"),
    ("L3", "公安審査委員会"),
    ("L4", "公安調査庁"),
    ("M1", "外務省"),
    ("N1", "財務省"),
    ("N2", "国税庁"),
    ("O1", "文部科学省"),
    ("O2", "文化庁"),
    ("O3", "スポーツ庁"),
    ("P1", "厚生労働省"),
    ("P2", "中央労働委員会"),
    ("Q1", "農林水産省"),
    ("Q2", "林野庁"),
    ("Q3", "水産庁"),
    ("R1", "経済産業省"),
    ("R2", "資源エネルギー庁"),
    ("R3", "特許庁"),
    ("R4", "中小企業庁"),
    ("S1", "国土交通省"),
    ("S2", "運輸安全委員会"),
    ("S3", "観光庁"),
    ("S4", "気象庁"),
    ("S5", "海上保安庁"),
    ("T1", "環境省"),
    ("T2", "原子力安全庁"),
    ("U1", "防衛省"),
    ("V1", "復興庁"),
    ("W1", "デジタル庁"),
];

/// 入札方式コード → (name, normalised method).
const METHODS: &[(&str, &str, Method)] = &[
    ("8002010", "一般競争入札・最低価格", Method::OpenCompetitive),
    ("8002020", "一般競争入札・最高価格", Method::OpenCompetitive),
    ("8002040", "一般競争入札・総合評価", Method::OpenCompetitive),
    ("8002050", "一般競争入札・複数落札", Method::OpenCompetitive),
    ("8003010", "指名競争入札・最低価格", Method::Designated),
    ("8003020", "指名競争入札・最高価格", Method::Designated),
    ("8003040", "指名競争入札・総合評価", Method::Designated),
    ("8003050", "指名競争入札・複数落札", Method::Designated),
    ("8004020", "随意契約方式・特定業者", Method::Negotiated),
    ("8004025", "随意契約方式・複数業者", Method::Negotiated),
    (
        "8004030",
        "随意契約方式・公募型プロポーザル方式",
        Method::Proposal,
    ),
    (
        "8001010",
        "随意契約方式・オープンカウンタ",
        Method::OpenCounter,
    ),
    (
        "8014020",
        "随意契約方式・特定業者・少額",
        Method::Negotiated,
    ),
    (
        "8014025",
        "随意契約方式・複数業者・少額",
        Method::Negotiated,
    ),
    (
        "8014030",
        "随意契約方式・公募型プロポーザル方式・少額",
        Method::Proposal,
    ),
    (
        "8011010",
        "随意契約方式・オープンカウンタ・少額",
        Method::OpenCounter,
    ),
    // Listed by one reader of the spec only.
    ("8004010", "随意契約・少額", Method::Negotiated),
];

/// The body a 府省コード stands for (`W1` → デジタル庁).
pub fn ministry(code: &str) -> Option<&'static str> {
    let code = code.trim();
    MINISTRIES
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code))
        .map(|(_, name)| *name)
}

/// The name and normalised method of a 入札方式コード (`8002010` → 一般競争入札・最低価格).
pub fn method(code: &str) -> Option<(&'static str, Method)> {
    let code = code.trim();
    METHODS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, name, m)| (*name, *m))
}

/// Whether the method awards one case to several winners (複数落札): each row is then its own
/// award.
pub fn is_multiple_award(code: &str) -> bool {
    matches!(code.trim(), "8002050" | "8003050")
}

/// Every 府省コード, for generators and tests.
pub fn ministry_codes() -> impl Iterator<Item = &'static str> {
    MINISTRIES.iter().map(|(c, _)| *c)
}

/// Every 入札方式コード, for generators and tests.
pub fn method_codes() -> impl Iterator<Item = &'static str> {
    METHODS.iter().map(|(c, _, _)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_both_tables() {
        assert_eq!(ministry("W1"), Some("デジタル庁"));
        assert_eq!(ministry("ja"), Some("こども家庭庁"));
        assert_eq!(ministry("Z9"), None);
        assert_eq!(
            method("8002010"),
            Some(("一般競争入札・最低価格", Method::OpenCompetitive))
        );
        assert_eq!(method("8014030").map(|m| m.1), Some(Method::Proposal));
        assert_eq!(method("8011010").map(|m| m.1), Some(Method::OpenCounter));
        assert_eq!(method("9999999"), None);
        assert!(is_multiple_award("8003050") && !is_multiple_award("8003010"));
        assert_eq!(ministry_codes().count(), 53);
    }
}
