//! Text normalisation: NFKC, width folding, whitespace, and title cleaning.

use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

/// Whether `c` is dropped before normalisation: control characters other than whitespace,
/// zero-width characters, the byte-order mark and soft hyphens.
fn is_invisible(c: char) -> bool {
    (c.is_control() && !c.is_whitespace())
        || matches!(
            c,
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
        )
}

/// Returns `s` in NFKC (full-width ASCII folded to half-width, half-width katakana to
/// full-width, `㈱` to `(株)`, the ideographic space to a space), with invisible characters
/// removed and every run of whitespace collapsed to one space, trimmed.
///
/// Japanese punctuation (`。`, `、`, `「」`, `【】`, `〜`) is left as it is. The function is
/// idempotent.
pub fn normalize_text(s: &str) -> String {
    let visible: String = s.chars().filter(|&c| !is_invisible(c)).collect();
    let nfkc: String = visible.nfkc().collect();
    let mut out = String::with_capacity(nfkc.len());
    for word in nfkc.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    // Collapsing whitespace can put a combining mark next to a new base character, and removing
    // invisible characters can do the same: renormalise so that the result is a fixed point.
    if unicode_normalization::is_nfkc(&out) {
        out
    } else {
        normalize_text(&out.nfkc().collect::<String>())
    }
}

/// A leading or trailing bracketed marker: `【入札公告】`, `[再公告]`, `〔公告〕`, `≪重要≫`.
static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:【[^【】]{0,30}】|\[[^\[\]]{0,30}\]|〔[^〔〕]{0,30}〕|《[^《》]{0,30}》|≪[^≪≫]{0,30}≫|[■◆◇●○★☆◎▼▲]\s*)\s*")
        .expect("static regex")
});

/// A trailing bracketed marker such as `【再公告】` or `[PDF]`.
static TRAILING_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s*(?:【[^【】]{0,30}】|\[[^\[\]]{0,30}\]|〔[^〔〕]{0,30}〕)$")
        .expect("static regex")
});

/// A trailing file-size or file-type suffix: `(146.6KB)`, `(850KB)`, `(PDF:1.2MB)`,
/// `(PDF形式 320KB)`, `(PDF)`, `[Excel 15KB]`.
static SIZE_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\s*[(\[](?:(?:pdf|word|excel|xlsx?|docx?|csv|zip|html?|jtd|一太郎)(?:ファイル|形式|file)?\s*[:/,、]?\s*)?(?:\d+(?:[.,]\d+)*\s*(?:bytes?|バイト|[kmg]i?b|[kmg]バイト))?\s*[)\]]$",
    )
    .expect("static regex")
});

/// Returns the title normalised with [`normalize_text`], without leading markers such as
/// `【入札公告】` and without trailing file-size suffixes such as `(146.6KB)`, `（850KB）` or
/// `(PDF:1.2MB)`.
///
/// When stripping would leave nothing, the normalised text is returned with its brackets only
/// removed, so that a title is never emptied.
pub fn clean_title(s: &str) -> String {
    let mut t = normalize_text(s);
    loop {
        let before = t.len();
        if let Some(m) = SIZE_SUFFIX.find(&t) {
            // `()` alone is not a suffix worth keeping either; both branches shorten the title.
            t.truncate(m.start());
        }
        if let Some(m) = TRAILING_MARKER.find(&t) {
            t.truncate(m.start());
        }
        if let Some(m) = MARKER.find(&t) {
            t.replace_range(..m.end(), "");
        }
        t = t.trim().to_string();
        if t.len() == before {
            break;
        }
    }
    if t.is_empty() {
        let fallback: String = normalize_text(s)
            .chars()
            .map(|c| {
                if "【】[]〔〕《》≪≫()".contains(c) {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        return normalize_text(&fallback);
    }
    t
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn test_normalize_text_folds_width_and_whitespace() {
        assert_eq!(
            normalize_text("  令和８年度　ＡＢＣ　\n 業務委託 "),
            "令和8年度 ABC 業務委託"
        );
        assert_eq!(normalize_text("ｶﾀｶﾅ㈱"), "カタカナ(株)");
        assert_eq!(normalize_text("a\u{200B}b\u{FEFF}"), "ab");
        assert_eq!(
            normalize_text("入札公告。詳細は「仕様書」を参照"),
            "入札公告。詳細は「仕様書」を参照"
        );
        assert_eq!(normalize_text(""), "");
        assert_eq!(normalize_text(" \t\n"), "");
    }

    #[test]
    fn test_clean_title_strips_markers_and_sizes() {
        assert_eq!(
            clean_title("【入札公告】令和8年度 中央地区測量設計委託業務(212.4KB)"),
            "令和8年度 中央地区測量設計委託業務"
        );
        assert_eq!(clean_title("庁舎清掃業務（850KB）"), "庁舎清掃業務");
        assert_eq!(
            clean_title("【公告】【再掲】複合機賃貸借 (1.2MB)"),
            "複合機賃貸借"
        );
        assert_eq!(clean_title("道路改良工事(PDF:146KB)"), "道路改良工事");
        assert_eq!(clean_title("道路改良工事 [PDF形式 320KB]"), "道路改良工事");
        assert_eq!(clean_title("道路改良工事【再公告】"), "道路改良工事");
        assert_eq!(clean_title("■ 公用車購入 (PDF)"), "公用車購入");
    }

    #[test]
    fn test_clean_title_keeps_meaningful_parentheses() {
        assert_eq!(
            clean_title("市民会館改修工事(その2)"),
            "市民会館改修工事(その2)"
        );
        assert_eq!(
            clean_title("給食配送業務（単価契約）"),
            "給食配送業務(単価契約)"
        );
        assert_eq!(clean_title("【入札公告】"), "入札公告");
    }
}
