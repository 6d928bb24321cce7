//! Procurement method (入札方式 / 契約方法) and category (物品 / 工事 / 役務), from labels and,
//! for the category, from titles.
//!
//! The caller keeps the local term verbatim (`method_raw`, `category_raw`); these functions
//! only map it onto the shared vocabulary and return `None` when the text names no method or
//! category clearly.

use indexer::{Category, Method};

use super::text::normalize_text;

fn compact(s: &str) -> String {
    normalize_text(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Maps a method term onto the shared vocabulary: 一般競争入札 / 条件付一般競争入札 /
/// 制限付き一般競争入札 → open competitive; 指名競争入札 (including 公募型指名) → designated;
/// 随意契約 / 随契 / 見積合わせ / 特命 → negotiated; 公募型プロポーザル / 企画競争 / 企画提案 →
/// proposal; オープンカウンター → open counter; other clear method words (総合評価落札方式
/// alone, 簡易公募型競争入札, 公募型見積, 売払い, せり売り) → other. Returns `None` for text that
/// names no method.
pub fn method_of(s: &str) -> Option<Method> {
    let t = compact(s);
    if t.contains("オープンカウンタ") {
        return Some(Method::OpenCounter);
    }
    if [
        "プロポーザル",
        "企画競争",
        "企画提案",
        "提案競技",
        "設計競技",
        "コンペ",
    ]
    .iter()
    .any(|w| t.contains(w))
    {
        return Some(Method::Proposal);
    }
    if t.contains("指名競争") || t.contains("公募型指名") || t.contains("工事希望型")
    {
        return Some(Method::Designated);
    }
    if t.contains("一般競争") {
        return Some(Method::OpenCompetitive);
    }
    if t.contains("公募型見積") {
        return Some(Method::Other);
    }
    if [
        "随意契約",
        "随契",
        "見積合わせ",
        "見積り合わせ",
        "見積合せ",
        "見積もり合わせ",
        "特命",
        "不落随意",
    ]
    .iter()
    .any(|w| t.contains(w))
    {
        return Some(Method::Negotiated);
    }
    if [
        "総合評価",
        "簡易公募型競争",
        "売払",
        "売り払い",
        "せり売",
        "競り売",
        "一般公募",
        "競争入札",
        "公募",
    ]
    .iter()
    .any(|w| t.contains(w))
    {
        return Some(Method::Other);
    }
    None
}

/// Exact category labels used by procurement systems, after normalisation.
const GOODS_LABELS: &[&str] = &[
    "物品",
    "物品購入",
    "物品の購入",
    "物品等",
    "物品調達",
    "物品の製造",
    "物品の販売",
    "物品買入",
    "物品・リース",
    "賃貸借",
    "リース",
    "借入",
    "購入",
    "印刷",
    "印刷物",
    "製造",
    "物品の買受",
];
const WORKS_LABELS: &[&str] = &[
    "工事",
    "建設工事",
    "土木工事",
    "建築工事",
    "電気工事",
    "管工事",
    "舗装工事",
    "解体工事",
    "修繕工事",
    "公共工事",
    "土木一式工事",
    "建築一式工事",
    "建設",
];
const SERVICES_LABELS: &[&str] = &[
    "役務",
    "役務の提供",
    "役務の提供等",
    "業務委託",
    "委託",
    "委託業務",
    "委託役務",
    "清掃",
    "警備",
    "測量",
    "設計",
    "保守",
    "点検",
    "保守点検",
    "調査",
    "コンサル",
    "建設コンサルタント",
    "測量・建設コンサルタント等",
    "測量・建設コンサルタント",
    "コンサルタント",
    "一般委託",
    "業務",
    "役務・委託",
    "運送",
    "建設関連業務",
    "測量・設計",
];

/// Title words, each with the category it signals. The word that occurs last in a title
/// decides: in `道路改良工事に伴う測量業務委託` it is 業務委託.
const TITLE_WORDS: &[(&str, Category)] = &[
    ("工事", Category::Works),
    ("改修", Category::Works),
    ("改築", Category::Works),
    ("新築", Category::Works),
    ("舗装", Category::Works),
    ("業務委託", Category::Services),
    ("委託業務", Category::Services),
    ("業務", Category::Services),
    ("委託", Category::Services),
    ("清掃", Category::Services),
    ("警備", Category::Services),
    ("測量", Category::Services),
    ("設計", Category::Services),
    ("保守", Category::Services),
    ("点検", Category::Services),
    ("運行", Category::Services),
    ("運搬", Category::Services),
    ("収集", Category::Services),
    ("購入", Category::Goods),
    ("買入れ", Category::Goods),
    ("買入", Category::Goods),
    ("調達", Category::Goods),
    ("納入", Category::Goods),
    ("賃貸借", Category::Goods),
    ("リース", Category::Goods),
    ("借入れ", Category::Goods),
    ("借入", Category::Goods),
    ("製造", Category::Goods),
    ("印刷", Category::Goods),
];

/// Maps a category label or, failing that, a title onto 物品 / 工事 / 役務.
///
/// Labels first: 物品 / 物品購入 / 賃貸借 → goods, 工事 / 建設工事 → works, 役務 / 業務委託 /
/// 委託 / 清掃 / 警備 / 測量 → services. Mixed labels such as 物品・役務 give `None`. Otherwise
/// the title word standing last decides (`〜工事` → works, `〜業務委託` → services, `〜購入` →
/// goods), after trailing notes such as `(その2)` are dropped.
pub fn category_of(s: &str) -> Option<Category> {
    let t = compact(s);
    if t.is_empty() {
        return None;
    }
    if let Some(c) = Category::from_label(&t) {
        return Some(c);
    }
    if GOODS_LABELS.contains(&t.as_str()) {
        return Some(Category::Goods);
    }
    if WORKS_LABELS.contains(&t.as_str()) {
        return Some(Category::Works);
    }
    if SERVICES_LABELS.contains(&t.as_str()) {
        return Some(Category::Services);
    }
    if is_mixed_label(&t) {
        return None;
    }
    category_from_title(&t)
}

/// Whether a short label joins two categories (物品・役務, 工事・委託).
fn is_mixed_label(t: &str) -> bool {
    let parts: Vec<&str> = t.split(['・', '/', '、', ',']).collect();
    parts.len() > 1 && {
        let cats: Vec<Option<Category>> = parts.iter().map(|p| category_of(p)).collect();
        cats.iter()
            .flatten()
            .any(|c| Some(*c) != cats.iter().flatten().next().copied())
    }
}

fn category_from_title(t: &str) -> Option<Category> {
    let mut best: Option<(usize, usize, Category)> = None;
    for (word, cat) in TITLE_WORDS {
        if let Some(pos) = t.rfind(word) {
            let end = pos + word.len();
            // The word ending last wins; on a tie, the longer word.
            let better = match best {
                None => true,
                Some((b_end, b_len, _)) => end > b_end || (end == b_end && word.len() > b_len),
            };
            if better {
                best = Some((end, word.len(), *cat));
            }
        }
    }
    best.map(|(_, _, c)| c)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn test_method_of() {
        assert_eq!(
            method_of("条件付一般競争入札"),
            Some(Method::OpenCompetitive)
        );
        assert_eq!(
            method_of("制限付き一般競争入札（総合評価落札方式）"),
            Some(Method::OpenCompetitive)
        );
        assert_eq!(method_of("指名競争入札"), Some(Method::Designated));
        assert_eq!(
            method_of("簡易公募型指名競争入札"),
            Some(Method::Designated)
        );
        assert_eq!(method_of("随意契約"), Some(Method::Negotiated));
        assert_eq!(method_of("少額随契"), Some(Method::Negotiated));
        assert_eq!(method_of("見積合わせ"), Some(Method::Negotiated));
        assert_eq!(method_of("公募型プロポーザル"), Some(Method::Proposal));
        assert_eq!(
            method_of("随意契約方式・公募型プロポーザル方式"),
            Some(Method::Proposal)
        );
        assert_eq!(method_of("企画競争"), Some(Method::Proposal));
        assert_eq!(method_of("オープンカウンター"), Some(Method::OpenCounter));
        assert_eq!(
            method_of("随意契約方式・オープンカウンタ"),
            Some(Method::OpenCounter)
        );
        assert_eq!(method_of("公募型見積"), Some(Method::Other));
        assert_eq!(method_of("道路清掃業務"), None);
        assert_eq!(method_of(""), None);
    }

    #[test]
    fn test_category_from_labels() {
        assert_eq!(category_of("物品"), Some(Category::Goods));
        assert_eq!(category_of("物品購入"), Some(Category::Goods));
        assert_eq!(category_of("賃貸借"), Some(Category::Goods));
        assert_eq!(category_of("工事"), Some(Category::Works));
        assert_eq!(category_of("建設工事"), Some(Category::Works));
        assert_eq!(category_of("役務"), Some(Category::Services));
        assert_eq!(category_of("業務委託"), Some(Category::Services));
        assert_eq!(
            category_of("測量・建設コンサルタント等"),
            Some(Category::Services)
        );
        assert_eq!(category_of("物品・役務"), None);
    }

    #[test]
    fn test_category_from_titles() {
        assert_eq!(
            category_of("市道3号線舗装改良工事(その2)"),
            Some(Category::Works)
        );
        assert_eq!(
            category_of("道路改良工事に伴う測量業務委託"),
            Some(Category::Services)
        );
        assert_eq!(category_of("本庁舎清掃業務"), Some(Category::Services));
        assert_eq!(category_of("消防ポンプ自動車購入"), Some(Category::Goods));
        assert_eq!(category_of("複合機賃貸借"), Some(Category::Goods));
        assert_eq!(category_of("市民会館について"), None);
    }
}
