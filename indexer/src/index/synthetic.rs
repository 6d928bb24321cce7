//! A deterministic generator of realistic synthetic tender records, for the relevance tests and
//! the benchmark (which includes this file by path). Content is invented; vocabulary and
//! formats follow real municipal notices.
//!
//! Every record belongs to a *topic*; its id is `<topic>-<n>`, so relevance judgements can name
//! topics (see `fixtures/relevance/`).
#![allow(dead_code)]

use chrono::{Duration, NaiveDate};

use crate::record::{Category, Kind, Method, Money, Record, Tax, When};

/// One kind of procurement the generator knows.
pub struct Topic {
    /// Topic key; records are `<key>-<n>`.
    pub key: &'static str,
    /// Title variants.
    pub titles: &'static [&'static str],
    /// The topic-specific body sentence.
    pub body: &'static str,
    /// Category.
    pub category: Category,
    /// Method.
    pub method: Method,
    /// A fixed place (prefecture, municipality, code), else places rotate.
    pub place: Option<(&'static str, &'static str, &'static str)>,
    /// Typical estimated price in yen.
    pub price: u64,
}

use Category::{Goods, Services, Works};
use Method::{Designated, Negotiated, OpenCompetitive, OpenCounter, Proposal};

const fn t(
    key: &'static str,
    titles: &'static [&'static str],
    body: &'static str,
    category: Category,
    method: Method,
    price: u64,
) -> Topic {
    Topic {
        key,
        titles,
        body,
        category,
        method,
        place: None,
        price,
    }
}

/// The topics.
pub const TOPICS: &[Topic] = &[
    t(
        "lunch_cook",
        &["学校給食調理業務委託", "小学校給食調理業務"],
        "市立小学校の学校給食の調理、配膳及び食器洗浄業務を委託する。",
        Services,
        OpenCompetitive,
        120_000_000,
    ),
    t(
        "lunch_delivery",
        &["学校給食配送業務委託", "給食配送業務"],
        "給食センターから各校への給食の配送及び食缶の回収を行う。",
        Services,
        OpenCompetitive,
        30_000_000,
    ),
    t(
        "lunch_center_build",
        &["学校給食センター建設工事", "給食センター改築工事"],
        "老朽化した学校給食センターの改築工事。鉄骨造平屋建て。",
        Works,
        OpenCompetitive,
        900_000_000,
    ),
    t(
        "meal_hospital",
        &["市立病院患者給食業務委託"],
        "入院患者に対する給食の提供及び栄養管理補助。",
        Services,
        OpenCompetitive,
        80_000_000,
    ),
    t(
        "office_clean",
        &["庁舎清掃業務委託", "本庁舎日常清掃業務"],
        "本庁舎及び分庁舎の日常清掃及び定期清掃を行う。",
        Services,
        OpenCompetitive,
        15_000_000,
    ),
    t(
        "school_clean",
        &["小学校校舎清掃業務", "中学校校舎清掃業務委託"],
        "校舎の窓ガラス及び床の定期清掃。",
        Services,
        Designated,
        4_000_000,
    ),
    Topic {
        place: Some(("大阪府", "泉佐野市", "272132")),
        ..t(
            "road_clean_kix",
            &["関西国際空港周辺道路清掃業務"],
            "関西国際空港連絡道路及び周辺市道の路面清掃を行う。",
            Services,
            OpenCompetitive,
            9_000_000,
        )
    },
    t(
        "airport_terminal",
        &["空港ターミナルビル空調設備保守点検業務"],
        "地方管理空港の旅客ターミナルビルにおける空調設備の保守点検。",
        Services,
        OpenCompetitive,
        7_000_000,
    ),
    t(
        "security",
        &["庁舎警備業務委託", "市民会館警備業務"],
        "夜間及び休日の機械警備並びに巡回警備を行う。",
        Services,
        OpenCompetitive,
        12_000_000,
    ),
    t(
        "hvac_maint",
        &["庁舎空調設備保守点検業務"],
        "冷温水発生機及び空調機の定期点検と保守。",
        Services,
        Designated,
        5_000_000,
    ),
    t(
        "elevator",
        &["エレベーター保守点検業務"],
        "庁舎に設置された昇降機設備の定期点検及び遠隔監視。",
        Services,
        Negotiated,
        2_400_000,
    ),
    t(
        "server_lease",
        &["サーバー機器賃貸借及び保守", "庁内サーバー更新業務"],
        "基幹系システム用サーバーの更新及び5年間の保守。",
        Goods,
        OpenCompetitive,
        60_000_000,
    ),
    t(
        "system_maint",
        &["住民情報ｼｽﾃﾑ保守業務", "住民情報システム運用保守業務"],
        "住民情報システムの運用保守及び法改正対応。",
        Services,
        Negotiated,
        25_000_000,
    ),
    t(
        "website",
        &["ホームページ改修業務", "市公式ホームページリニューアル業務"],
        "市公式ウェブサイトのリニューアル及びCMS導入。公募型プロポーザル方式により事業者を選定する。",
        Services,
        Proposal,
        10_000_000,
    ),
    t(
        "pc",
        &["ノートパソコン購入", "職員用ノートパソコン購入"],
        "職員用ノートパソコン200台及び周辺機器の購入。",
        Goods,
        OpenCompetitive,
        30_000_000,
    ),
    t(
        "tablet",
        &["学習用タブレット端末賃貸借"],
        "GIGAスクール構想に基づく児童生徒用タブレット端末の賃貸借。",
        Goods,
        OpenCompetitive,
        80_000_000,
    ),
    t(
        "ict_school",
        &["学校ICT機器購入", "小中学校ICT環境整備"],
        "電子黒板及び校内LAN機器の購入と設置。",
        Goods,
        OpenCompetitive,
        40_000_000,
    ),
    t(
        "router4g",
        &["4G対応モバイルルーター購入"],
        "災害時に使用する4G/LTE対応モバイルルーター50台。",
        Goods,
        OpenCounter,
        1_500_000,
    ),
    t(
        "led",
        &["ＬＥＤ照明器具購入", "体育館LED照明器具購入"],
        "体育館の水銀灯をLED照明器具に更新するための物品購入。",
        Goods,
        OpenCounter,
        3_000_000,
    ),
    t(
        "streetlight_led",
        &["道路照明灯LED化工事"],
        "道路照明灯の水銀灯からLED照明への交換工事。",
        Works,
        OpenCompetitive,
        20_000_000,
    ),
    t(
        "kodomo_shokudo",
        &["子ども食堂運営支援業務", "子供食堂支援事業業務委託"],
        "こども食堂を運営する団体への助言及び食材提供の支援。公募型プロポーザル方式。",
        Services,
        Proposal,
        3_000_000,
    ),
    t(
        "afterschool",
        &["放課後児童クラブ運営業務委託"],
        "放課後児童クラブ（学童保育）の運営。公募型プロポーザル方式により選定する。",
        Services,
        Proposal,
        45_000_000,
    ),
    t(
        "disability_work",
        &["障がい者就労支援事業業務委託", "障害者就労支援業務"],
        "障害者の就労継続支援及び職場定着支援。",
        Services,
        Proposal,
        8_000_000,
    ),
    t(
        "elderly_watch",
        &["高齢者見守り配食サービス事業"],
        "一人暮らし高齢者への配食と安否確認による見守り。",
        Services,
        Proposal,
        6_000_000,
    ),
    t(
        "childcare_support",
        &["子育て支援センター運営業務"],
        "地域子育て支援拠点の運営及び育児相談。",
        Services,
        Proposal,
        9_000_000,
    ),
    t(
        "weeding",
        &["公園除草業務委託", "都市公園除草業務"],
        "都市公園の除草、草刈り及び低木の剪定。",
        Services,
        Designated,
        3_500_000,
    ),
    t(
        "tree_prune",
        &["街路樹剪定業務"],
        "街路樹の剪定及び支障枝の伐採。",
        Services,
        Designated,
        4_500_000,
    ),
    t(
        "road_repair",
        &["市道舗装補修工事", "市道12号線舗装補修工事"],
        "市道の舗装補修及び区画線の引き直し。",
        Works,
        OpenCompetitive,
        25_000_000,
    ),
    t(
        "bridge_quake",
        &["橋梁耐震補強工事"],
        "市道橋の耐震補強及び落橋防止装置の設置。",
        Works,
        OpenCompetitive,
        70_000_000,
    ),
    t(
        "gym_roof",
        &["小学校体育館屋根改修工事"],
        "体育館屋根の防水改修及び雨樋の交換。",
        Works,
        OpenCompetitive,
        35_000_000,
    ),
    t(
        "sewer",
        &["下水道管渠更生工事"],
        "老朽化した下水道管渠の管更生。",
        Works,
        OpenCompetitive,
        50_000_000,
    ),
    t(
        "river",
        &["準用河川護岸改修工事"],
        "河川護岸のブロック積みによる改修。",
        Works,
        Designated,
        28_000_000,
    ),
    t(
        "school_quake",
        &["中学校校舎耐震補強工事"],
        "校舎の耐震補強及び外壁改修。",
        Works,
        OpenCompetitive,
        95_000_000,
    ),
    t(
        "fire_truck",
        &["消防ポンプ自動車購入"],
        "消防車（水槽付消防ポンプ自動車）1台の購入。",
        Goods,
        OpenCompetitive,
        45_000_000,
    ),
    t(
        "official_car",
        &["公用車購入", "公用車（軽自動車）購入"],
        "公用車として使用する軽自動車3台。",
        Goods,
        OpenCounter,
        4_500_000,
    ),
    t(
        "stockpile",
        &["防災備蓄食料購入"],
        "防災用の備蓄食料（アルファ化米）及び保存水の購入。",
        Goods,
        OpenCounter,
        2_000_000,
    ),
    t(
        "health_check",
        &["職員健康診断業務委託"],
        "職員の定期健康診断及び特殊健康診断。",
        Services,
        Negotiated,
        6_000_000,
    ),
    t(
        "callcenter",
        &["コールセンター運営業務委託"],
        "市民からの電話での問い合わせに対応するコールセンターの運営。",
        Services,
        Proposal,
        40_000_000,
    ),
    t(
        "translation",
        &["多言語翻訳業務"],
        "外国人住民向け行政文書の翻訳（英語、中国語、ベトナム語）。",
        Services,
        OpenCounter,
        1_200_000,
    ),
    t(
        "event",
        &["観光イベント企画運営業務"],
        "観光PRイベントの企画及び運営。公募型プロポーザル方式により事業者を選定する。",
        Services,
        Proposal,
        15_000_000,
    ),
    t(
        "survey",
        &["市民意識調査業務委託"],
        "市民アンケート調査の実施及び集計分析。",
        Services,
        OpenCompetitive,
        3_000_000,
    ),
    t(
        "printing",
        &["広報紙印刷業務"],
        "市広報紙の印刷及び製本、各戸配布用の仕分け。",
        Services,
        OpenCompetitive,
        18_000_000,
    ),
    t(
        "waste",
        &["一般廃棄物収集運搬業務委託"],
        "家庭ごみの収集運搬。",
        Services,
        Negotiated,
        150_000_000,
    ),
    t(
        "attached_school",
        &["附属図書館図書館システム更新"],
        "大学附属図書館の図書館システム更新及びデータ移行。",
        Goods,
        OpenCompetitive,
        35_000_000,
    ),
    t(
        "copier",
        &["複合機賃貸借"],
        "庁内で使用する複合機（コピー機）30台の賃貸借。",
        Goods,
        OpenCompetitive,
        12_000_000,
    ),
    t(
        "computer_lease",
        &["コンピューター機器賃貸借"],
        "窓口用コンピューター及びプリンターの賃貸借。",
        Goods,
        OpenCompetitive,
        20_000_000,
    ),
    Topic {
        place: Some(("北海道", "旭川市", "012041")),
        ..t(
            "snow",
            &["市道除雪業務委託"],
            "冬期間における市道の除雪及び排雪。",
            Services,
            Designated,
            60_000_000,
        )
    },
    t(
        "pool",
        &["市民プール管理運営業務"],
        "市民プールの管理運営及び監視業務。",
        Services,
        Proposal,
        20_000_000,
    ),
    t(
        "forest",
        &["市有林森林整備業務"],
        "市有林の間伐及び下刈りによる森林整備。",
        Services,
        Designated,
        7_000_000,
    ),
];

/// Places the generator rotates through: (都道府県, 市区町村, code with check digit).
pub const PLACES: &[(&str, &str, &str)] = &[
    ("東京都", "千代田区", "131016"),
    ("東京都", "八王子市", "132012"),
    ("東京都", "府中市", "132063"),
    ("大阪府", "大阪市", "271004"),
    ("大阪府", "堺市", "271403"),
    ("神奈川県", "横浜市", "141003"),
    ("神奈川県", "相模原市", "141500"),
    ("北海道", "札幌市", "011002"),
    ("福岡県", "福岡市", "401307"),
    ("広島県", "府中市", "342084"),
    ("京都府", "京都市", "261009"),
    ("愛知県", "名古屋市", "231002"),
];

/// Winners the generator uses for awards.
pub const WINNERS: &[&str] = &[
    "株式会社みらい総合サービス",
    "有限会社北清掃",
    "株式会社堺道路",
    "株式会社東和システム",
    "協同組合さくら給食",
    "労働者協同組合ひだまり",
    "特定非営利活動法人つながり",
    "株式会社山田建設",
];

/// SplitMix64: small, deterministic, good enough for test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

fn when(date: NaiveDate, evidence: &str) -> When {
    When {
        date,
        time: None,
        raw: date.format("%Y年%-m月%-d日").to_string(),
        evidence: Some(evidence.to_string()),
    }
}

fn money(yen: u64) -> Money {
    Money {
        yen,
        tax: Tax::Included,
        raw: format!("{yen}円（税込）"),
    }
}

fn base_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 4, 1).unwrap_or_default()
}

/// Generates record `n` (0-based) of `topic`.
pub fn record(topic: &Topic, n: usize, rng: &mut Rng) -> Record {
    let (pref, muni, code) = topic
        .place
        .unwrap_or(PLACES[(rng.below(PLACES.len() as u64)) as usize]);
    let title_base = topic.titles[n % topic.titles.len()];
    let year = 5 + rng.below(3);
    let title = match n % 3 {
        0 => title_base.to_string(),
        1 => format!("令和{year}年度 {title_base}"),
        _ => format!("{muni}{title_base}"),
    };
    // Every fourth record is an award.
    let kind = if n % 4 == 3 {
        Kind::Award
    } else {
        Kind::Notice
    };
    let published = base_date() + Duration::days(rng.below(900) as i64);
    let buyer = format!(
        "{muni}{}",
        [
            "総務部契約課",
            "教育委員会学校教育課",
            "建設部道路課",
            "福祉部福祉政策課"
        ][n % 4]
    );
    let body = format!(
        "件名：{title}\n{}\n履行場所：{pref}{muni}内\n履行期間：契約締結日から令和{}年3月31日まで\n\
         入札方式：{}\n参加資格：{muni}の入札参加資格者名簿に登録されていること。\n\
         仕様書等は{buyer}にて配布する。質問は書面により受け付ける。",
        topic.body,
        year + 1,
        topic.method.label(),
    );
    let id = format!("{}-{n}", topic.key);
    let mut r = Record::new(
        &id,
        kind,
        "synthetic",
        format!("http://127.0.0.1/{id}"),
        title,
    );
    r.body = body;
    r.buyer = Some(buyer);
    r.prefecture = Some(pref.to_string());
    r.municipality = Some(muni.to_string());
    r.municipality_code = Some(code.to_string());
    r.category = Some(topic.category);
    r.method = Some(topic.method);
    r.published = Some(when(published, "公告日"));
    let price = topic.price / 2 + rng.below(topic.price.max(2));
    r.estimated_price = Some(money(price));
    match kind {
        Kind::Notice => {
            // One notice in five states no deadline.
            if rng.below(5) != 0 {
                r.deadline = Some(when(
                    published + Duration::days(14 + rng.below(30) as i64),
                    "提出期限",
                ));
            }
        }
        Kind::Award => {
            r.opening = Some(when(published + Duration::days(20), "開札日"));
            let amount = price * (80 + rng.below(20)) / 100;
            r.amount = Some(money(amount));
            r.award_ratio = r.compute_award_ratio();
            r.winner = Some(WINNERS[rng.below(WINNERS.len() as u64) as usize].to_string());
        }
    }
    r
}

/// A corpus of `per_topic` records for every topic, deterministic for a seed.
pub fn corpus(per_topic: usize, seed: u64) -> Vec<Record> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(per_topic * TOPICS.len());
    for n in 0..per_topic {
        for topic in TOPICS {
            out.push(record(topic, n, &mut rng));
        }
    }
    out
}
