//! A deterministic set of invented KKJ notices for the look-alike server.
//!
//! Municipalities, their names and codes are real (from [`crate::reference`]); every notice,
//! title, price and date is invented. The set reproduces what matters for harvesting: thousands
//! of notices over a few months, a day with far more than 1000 notices, national bodies without
//! an LgCode, a record whose text is CESU-8 (invalid UTF-8), a record with a huge description,
//! 5-digit city codes, records without a category, and notices whose date is unknown.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::reference::{self, Municipality, MunicipalityKind};

/// One invented notice, with the values the crawler should read from it.
#[derive(Debug, Clone)]
pub struct KkjNotice {
    /// `Key` (Base64 of `pref/org/year/date_seq\n`, as KKJ's keys are).
    pub key: String,
    /// `ProjectName` as served (may carry `【入札公告】` and a size suffix).
    pub project_name: String,
    /// `Date`: collection time.
    pub date: String,
    /// `CftIssueDate` as served.
    pub cft_issue_date_raw: String,
    /// The day `CftIssueDate` falls on.
    pub cft_issue_date: NaiveDate,
    /// `LgCode`, absent for national bodies.
    pub lg_code: Option<String>,
    /// `PrefectureName`.
    pub prefecture_name: Option<String>,
    /// `CityCode` as served (5 or 6 digits).
    pub city_code: Option<String>,
    /// `CityName`.
    pub city_name: Option<String>,
    /// `OrganizationName`.
    pub organization_name: String,
    /// `Category` label, absent on a few records.
    pub category: Option<&'static str>,
    /// `ProcedureType`.
    pub procedure_type: Option<&'static str>,
    /// `Certification`.
    pub certification: Option<String>,
    /// `Location`.
    pub location: Option<String>,
    /// `PeriodEndTime` (end of performance: not a deadline).
    pub period_end_time: Option<String>,
    /// `TenderSubmissionDeadline` (入札開始日 per the guide: not a deadline).
    pub tender_submission_deadline: Option<String>,
    /// `OpeningTendersEvent`.
    pub opening_tenders_event: Option<String>,
    /// `ExternalDocumentURI`.
    pub external_document_uri: String,
    /// `FileType`.
    pub file_type: &'static str,
    /// `FileSize`.
    pub file_size: u64,
    /// `ProjectDescription`.
    pub project_description: String,
    /// Attachments (name, uri).
    pub attachments: Vec<(String, String)>,
    /// Served as CESU-8 (invalid UTF-8) when true.
    pub cesu8: bool,
    /// The deadline the description states, if any.
    pub expected_deadline: Option<NaiveDate>,
    /// The 予定価格 the description states, if any.
    pub expected_price: Option<u64>,
    /// The 6-digit code the crawler should store.
    pub expected_municipality_code: Option<String>,
}

/// How the set is generated.
#[derive(Debug, Clone)]
pub struct KkjDatasetConfig {
    /// Seed of the generator.
    pub seed: u64,
    /// First day with notices.
    pub from: NaiveDate,
    /// Last day with notices.
    pub to: NaiveDate,
    /// Mean notices per weekday (weekends have a few).
    pub weekday_mean: u32,
    /// A day with many notices, and how many.
    pub busy_day: Option<(NaiveDate, u32)>,
    /// Share of national bodies (no LgCode), in percent.
    pub national_percent: u32,
}

impl Default for KkjDatasetConfig {
    fn default() -> Self {
        KkjDatasetConfig {
            seed: 20_261_121,
            from: NaiveDate::from_ymd_opt(2026, 8, 3).unwrap_or_default(),
            to: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default(),
            weekday_mean: 45,
            busy_day: NaiveDate::from_ymd_opt(2026, 10, 1).map(|d| (d, 2_600)),
            national_percent: 15,
        }
    }
}

/// The generated notices.
#[derive(Debug, Clone, Default)]
pub struct KkjDataset {
    /// Every notice, in generation order.
    pub notices: Vec<KkjNotice>,
}

impl KkjDataset {
    /// Notices per `CftIssueDate` day.
    pub fn per_day(&self) -> std::collections::BTreeMap<NaiveDate, usize> {
        let mut m = std::collections::BTreeMap::new();
        for n in &self.notices {
            *m.entry(n.cft_issue_date).or_insert(0) += 1;
        }
        m
    }
}

/// splitmix64: small, fast, and the same on every platform and version.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    pub(crate) fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < u64::from(percent)
    }
}

/// Standard Base64 (with `+`, `/` and `=` padding), as KKJ's keys use.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

const WORKS: &[&str] = &[
    "道路補修工事",
    "舗装修繕工事",
    "橋梁補修工事",
    "河川護岸改修工事",
    "校舎外壁改修工事",
    "配水管布設替工事",
    "下水道管渠更生工事",
    "公園遊具更新工事",
    "側溝改良工事",
];
const SERVICES: &[&str] = &[
    "庁舎清掃業務委託",
    "庁舎警備業務委託",
    "学校給食調理業務委託",
    "学校給食配送業務委託",
    "測量業務委託",
    "基幹系システム保守業務委託",
    "ネットワーク機器保守業務",
    "広報誌印刷業務",
    "一般廃棄物収集運搬業務委託",
    "公園樹木剪定業務委託",
    "地形図修正測量業務",
    "健康診断業務委託",
];
const GOODS: &[&str] = &[
    "事務用パソコン購入",
    "公用車購入",
    "消防ポンプ自動車購入",
    "学校用机・椅子購入",
    "印刷用紙購入",
    "災害用備蓄食料購入",
    "物品購入(事務用品)",
    "複合機賃貸借",
];
const PLACES: &[&str] = &[
    "本庁舎",
    "中央地区",
    "北部地区",
    "南部地区",
    "第一小学校",
    "中央公民館",
    "市民体育館",
    "浄水場",
    "総合支所",
    "学校給食センター",
];
const NATIONAL: &[(&str, &str)] = &[
    ("デジタル庁", "digital"),
    ("国土交通省 関東地方整備局", "mlit_kanto"),
    ("国土交通省 近畿地方整備局 大阪国道事務所", "mlit_osaka"),
    ("農林水産省 東北農政局", "maff_tohoku"),
    ("厚生労働省", "mhlw"),
    ("法務省 東京矯正管区", "moj_tokyo"),
    ("国立研究開発法人 産業技術総合研究所", "aist"),
    ("独立行政法人 国立病院機構 本部", "nho"),
    ("国立大学法人 東北大学", "tohoku_u"),
    ("最高裁判所", "courts"),
    ("衆議院", "shugiin"),
    ("会計検査院", "jbaudit"),
    ("気象庁", "jma"),
    ("防衛装備庁", "atla"),
    ("日本年金機構", "nenkin"),
];
const METHODS: &[&str] = &[
    "一般競争入札",
    "一般競争入札",
    "一般競争入札",
    "簡易公募型競争入札",
    "簡易公募型指名競争入札",
];

fn weekday_ja(d: NaiveDate) -> &'static str {
    match d.weekday() {
        Weekday::Mon => "月",
        Weekday::Tue => "火",
        Weekday::Wed => "水",
        Weekday::Thu => "木",
        Weekday::Fri => "金",
        Weekday::Sat => "土",
        Weekday::Sun => "日",
    }
}

/// `令和8年11月17日（火）`, in full-width digits when `wide`.
fn wareki(d: NaiveDate, wide: bool) -> String {
    let s = format!(
        "令和{}年{}月{}日（{}）",
        d.year() - 2018,
        d.month(),
        d.day(),
        weekday_ja(d)
    );
    if wide {
        s.chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c),
                _ => c,
            })
            .collect()
    } else {
        s
    }
}

fn yen(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The next weekday on or after `d`.
fn weekday_on_or_after(mut d: NaiveDate) -> NaiveDate {
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        d = d.succ_opt().unwrap_or(d);
    }
    d
}

struct Buyer {
    org: String,
    lg: Option<String>,
    pref: Option<String>,
    city_code: Option<String>,
    city: Option<String>,
    expected_code: Option<String>,
    slug: String,
    national: bool,
}

fn municipal_buyers() -> Vec<Buyer> {
    let mut out = Vec::new();
    for (i, m) in reference::municipalities().iter().enumerate() {
        let keep = matches!(
            m.kind,
            MunicipalityKind::Municipality | MunicipalityKind::SpecialWard
        ) && i % 9 == 0;
        if keep {
            out.push(buyer_of(m));
        }
    }
    for p in reference::prefectures() {
        out.push(Buyer {
            org: p.name.to_string(),
            lg: Some(p.prefecture_code().to_string()),
            pref: Some(p.name.to_string()),
            city_code: None,
            city: None,
            expected_code: Some(p.code.to_string()),
            slug: format!("pref{}", p.prefecture_code()),
            national: false,
        });
    }
    out
}

fn buyer_of(m: &Municipality) -> Buyer {
    Buyer {
        org: format!("{}{}", m.prefecture, m.full_name()),
        lg: Some(m.prefecture_code().to_string()),
        pref: Some(m.prefecture.to_string()),
        city_code: Some(m.code.to_string()),
        city: Some(m.full_name()),
        expected_code: Some(m.code.to_string()),
        slug: format!("c{}", m.code),
        national: false,
    }
}

/// Generates the set.
pub fn generate(config: &KkjDatasetConfig) -> KkjDataset {
    let mut rng = Rng::new(config.seed);
    let municipal = municipal_buyers();
    let national: Vec<Buyer> = NATIONAL
        .iter()
        .map(|(org, slug)| Buyer {
            org: (*org).to_string(),
            lg: None,
            pref: None,
            city_code: None,
            city: None,
            expected_code: None,
            slug: (*slug).to_string(),
            national: true,
        })
        .collect();
    let mut notices = Vec::new();
    let mut day = config.from;
    while day <= config.to {
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let count = match config.busy_day {
            Some((busy, n)) if busy == day => n as u64,
            _ if weekend => rng.below(4),
            _ => u64::from(config.weekday_mean) / 2 + rng.below(u64::from(config.weekday_mean) + 1),
        };
        for seq in 0..count {
            let buyer = if rng.chance(config.national_percent) {
                rng.pick(&national)
            } else {
                rng.pick(&municipal)
            };
            notices.push(notice(&mut rng, day, seq, buyer));
        }
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    // The quirks, on fixed notices so that tests can find them.
    let n = notices.len();
    if n > 10 {
        let i = n / 3;
        let broken = &mut notices[i];
        broken.cesu8 = true;
        broken.project_description = format!("{}\n(株)𠮷田建設 ほか。", broken.project_description);
        let j = n / 2;
        let whale = &mut notices[j];
        let spec = "第1条 本仕様書は、業務の履行に必要な事項を定める。受注者は関係法令を遵守し、誠実に業務を履行しなければならない。\n";
        let mut long = whale.project_description.clone();
        while long.chars().count() < 150_000 {
            long.push_str(spec);
        }
        whale.project_description = long;
        for k in [n / 5, n / 4, 2 * n / 3] {
            notices[k].category = None;
        }
    }
    KkjDataset { notices }
}

fn notice(rng: &mut Rng, day: NaiveDate, seq: u64, buyer: &Buyer) -> KkjNotice {
    let (category, work) = match rng.below(10) {
        0..=3 => ("役務", *rng.pick(SERVICES)),
        4..=6 => ("工事", *rng.pick(WORKS)),
        _ => ("物品", *rng.pick(GOODS)),
    };
    let place = *rng.pick(PLACES);
    let fy = if day.month() >= 4 {
        day.year()
    } else {
        day.year() - 1
    } - 2018;
    let mut title = match category {
        "工事" if rng.chance(50) => format!("市道{}号線{}", 100 + rng.below(900), work),
        "物品" => format!("令和{fy}年度 {work}"),
        _ => format!("令和{fy}年度 {place}{work}"),
    };
    if rng.chance(20) {
        title = format!("【入札公告】{title}");
    }
    let file_type = if rng.chance(80) { "pdf" } else { "html" };
    let file_size = 40_000 + rng.below(400_000);
    let served_title = if file_type == "pdf" && rng.chance(35) {
        format!("{title}({:.1}KB)", file_size as f64 / 1024.0)
    } else {
        title.clone()
    };
    let deadline = weekday_on_or_after(
        day.checked_add_days(Days::new(8 + rng.below(14)))
            .unwrap_or(day),
    );
    let opening = weekday_on_or_after(
        deadline
            .checked_add_days(Days::new(3 + rng.below(5)))
            .unwrap_or(deadline),
    );
    let start = day.checked_add_days(Days::new(1)).unwrap_or(day);
    let price = match category {
        "工事" => (5_000 + rng.below(80_000)) * 1_000,
        "役務" => (800 + rng.below(30_000)) * 1_000,
        _ => (300 + rng.below(9_000)) * 1_000,
    };
    let price_text = match rng.below(10) {
        0..=5 => Some(format!("予定価格 {}円（税抜）", yen(price))),
        6 => Some(format!("予定価格（税込） 金{}円", yen(price))),
        _ => None,
    };
    let wide = rng.chance(40);
    let hour = *rng.pick(&["午後5時", "午後4時", "正午", "午前10時"]);
    let method = *rng.pick(METHODS);
    let cond = if buyer.national { "" } else { "条件付" };
    let mut description = format!(
        "{org} {cond}{method}公告\n次のとおり{cond}{method}に付します。\n1 入札に付する事項\n(1) 件名 {title}\n(2) 履行場所 {loc}\n(3) 履行期間 契約締結日から令和9年3月31日まで\n2 入札参加資格\n(1) 地方自治法施行令第167条の4の規定に該当しない者であること。\n3 入札書提出期限 {deadline} {hour}\n4 開札日時 {opening} 午前10時\n",
        org = buyer.org,
        loc = buyer.city.as_deref().unwrap_or(&buyer.org),
        deadline = wareki(deadline, wide),
        opening = wareki(opening, wide),
    );
    match &price_text {
        Some(p) => description.push_str(&format!("5 {p}\n")),
        None => description.push_str("5 予定価格 事後公表\n"),
    }
    description.push_str("6 その他 詳細は入札説明書による。");
    let year = day.year();
    // National keys carry the body's name in UTF-8, which gives their Base64 `+` and `/`.
    let org_part = if buyer.national {
        format!("{}/{}", buyer.slug, buyer.org)
    } else {
        buyer.slug.clone()
    };
    let raw_key = format!(
        "{}/{org_part}/{year}/{}_{:05}\n",
        if buyer.national { "kuni" } else { "chiho" },
        day.format("%Y%m%d"),
        seq + 1
    );
    let key = base64(raw_key.as_bytes());
    let collected = day.checked_add_days(Days::new(1)).unwrap_or(day);
    let collected_at = format!(
        "{}T{:02}:{:02}:{:02}+09:00",
        collected,
        6 + rng.below(14),
        rng.below(60),
        rng.below(60)
    );
    // National notices sometimes have no notice date: KKJ then repeats Date.
    let unknown_date = buyer.national && rng.chance(20);
    let (date, cft_raw, cft_day) = if unknown_date {
        let at = format!(
            "{}T{:02}:{:02}:{:02}+09:00",
            day,
            9 + rng.below(9),
            rng.below(60),
            rng.below(60)
        );
        (at.clone(), at, day)
    } else {
        (collected_at, format!("{day}T00:00:00+09:00"), day)
    };
    let five_digit = buyer.city_code.is_some() && rng.chance(10);
    let city_code = buyer.city_code.as_ref().map(|c| {
        if five_digit {
            c[..5].to_string()
        } else {
            c.clone()
        }
    });
    let host = format!("www.{}.example.lg.jp", buyer.slug);
    let attachments = if rng.chance(40) {
        vec![
            (
                "仕様書".to_string(),
                format!("https://{host}/bid/{year}/{}-spec.pdf?v=1&t=2", seq + 1),
            ),
            (
                "入札説明書".to_string(),
                format!("https://{host}/bid/{year}/{}-guide.pdf", seq + 1),
            ),
        ]
    } else {
        Vec::new()
    };
    let certification = if buyer.national {
        Some(rng.pick(&["A B", "C D", "B C D", "D"]).to_string())
    } else {
        None
    };
    KkjNotice {
        key,
        project_name: served_title,
        date,
        cft_issue_date_raw: cft_raw,
        cft_issue_date: cft_day,
        lg_code: buyer.lg.clone(),
        prefecture_name: buyer.pref.clone(),
        city_code,
        city_name: buyer.city.clone(),
        organization_name: buyer.org.clone(),
        category: Some(category),
        procedure_type: Some(method),
        certification,
        location: Some(buyer.city.clone().unwrap_or_else(|| buyer.org.clone())),
        period_end_time: Some("2027-03-31T00:00:00+09:00".to_string()),
        tender_submission_deadline: Some(format!("{start}T00:00:00+09:00")),
        opening_tenders_event: rng.chance(30).then(|| format!("{opening}T10:00:00+09:00")),
        external_document_uri: format!(
            "https://{host}/bid/{year}/{}_{:05}.{file_type}",
            day.format("%Y%m%d"),
            seq + 1
        ),
        file_type,
        file_size,
        project_description: description,
        attachments,
        cesu8: false,
        expected_deadline: Some(deadline),
        expected_price: price_text.map(|_| price),
        expected_municipality_code: buyer.expected_code.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_alphabet() {
        assert_eq!(
            base64(b"iwate/iwate_pref/2022/20220810_03589\n"),
            "aXdhdGUvaXdhdGVfcHJlZi8yMDIyLzIwMjIwODEwXzAzNTg5Cg=="
        );
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"\xfb\xff"), "+/8=");
    }

    #[test]
    fn the_default_set_has_what_the_tests_need() {
        let set = generate(&KkjDatasetConfig::default());
        assert!(set.notices.len() >= 5_000, "{}", set.notices.len());
        let keys: std::collections::HashSet<_> = set.notices.iter().map(|n| &n.key).collect();
        assert_eq!(keys.len(), set.notices.len(), "keys are unique");
        assert!(set.per_day().values().any(|&n| n > 1_000));
        assert!(set.notices.iter().any(|n| n.lg_code.is_none()));
        assert!(set.notices.iter().any(|n| n.cesu8));
        assert!(
            set.notices
                .iter()
                .any(|n| n.city_code.as_ref().is_some_and(|c| c.len() == 5))
        );
        assert!(
            set.notices
                .iter()
                .any(|n| n.project_description.chars().count() > 100_000)
        );
        assert!(keys.iter().any(|k| k.contains('/') || k.contains('+')));
        assert_eq!(
            generate(&KkjDatasetConfig::default()).notices.len(),
            set.notices.len(),
            "deterministic"
        );
    }
}
