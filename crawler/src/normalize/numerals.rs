//! Japanese numerals: arabic digits, kanji numerals (〇一二…十百千万億兆) and 大字
//! (壱弐参拾萬…), alone or mixed (`1億5千万`, `7,800千`, `二〇二六`).

/// The value of a kanji or 大字 digit character.
pub(crate) fn kanji_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' => 0,
        '一' | '壱' | '壹' | '弌' => 1,
        '二' | '弐' | '貳' | '弍' => 2,
        '三' | '参' | '參' | '弎' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陸' => 6,
        '七' | '漆' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

/// The value of a multiplier below 万 (十, 百, 千 and their 大字 forms).
pub(crate) fn small_multiplier(c: char) -> Option<u128> {
    Some(match c {
        '十' | '拾' | '什' => 10,
        '百' | '佰' | '陌' => 100,
        '千' | '仟' | '阡' => 1_000,
        _ => return None,
    })
}

/// The value of a multiplier of 万 and above (万, 億, 兆).
pub(crate) fn large_multiplier(c: char) -> Option<u128> {
    Some(match c {
        '万' | '萬' => 10_000,
        '億' => 100_000_000,
        '兆' => 1_000_000_000_000,
        _ => return None,
    })
}

/// Whether `c` can be part of a Japanese number (digits, multipliers, separators).
pub(crate) fn is_number_char(c: char) -> bool {
    c.is_ascii_digit()
        || matches!(c, ',' | '、' | '.')
        || kanji_digit(c).is_some()
        || small_multiplier(c).is_some()
        || large_multiplier(c).is_some()
}

/// A decimal number read from a run of digits: `mantissa / 10^scale`.
#[derive(Debug, Clone, Copy)]
struct Decimal {
    mantissa: u128,
    scale: u32,
    digits: u32,
}

impl Decimal {
    fn push_digit(self, d: u32) -> Option<Decimal> {
        Some(Decimal {
            mantissa: self.mantissa.checked_mul(10)?.checked_add(u128::from(d))?,
            scale: self.scale,
            digits: self.digits + 1,
        })
    }

    /// `self × m` when the product is a whole number.
    fn times(self, m: u128) -> Option<u128> {
        let product = self.mantissa.checked_mul(m)?;
        let divisor = 10u128.checked_pow(self.scale)?;
        (product % divisor == 0).then_some(product / divisor)
    }
}

/// Checks the thousands separators of an arabic digit run such as `1,234,567.00` and returns
/// the run without them, or `None` when they are misplaced (`1,23`, `12,3456`).
fn strip_group_separators(run: &str) -> Option<String> {
    let (int_part, frac_part) = match run.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (run, None),
    };
    let groups: Vec<&str> = int_part.split([',', '、']).collect();
    if groups.len() > 1 {
        let first_ok = (1..=3).contains(&groups[0].len());
        let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
        if !first_ok || !rest_ok {
            return None;
        }
    }
    let mut out: String = groups.concat();
    if out.is_empty() || !out.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Some(f) = frac_part {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out.push('.');
        out.push_str(f);
    }
    Some(out)
}

/// Parses a Japanese number: arabic digits with thousands separators and an optional decimal
/// part, kanji and 大字 numerals, both positional (`二〇二六`) and with multipliers
/// (`二千二十六`, `壱萬弐仟`), and mixtures (`1億5千万`, `7,800千`, `1.5億`).
///
/// Returns `None` for anything that is not exactly one well-formed number, or whose value is
/// not a whole number, or that overflows.
pub(crate) fn parse_japanese_number(s: &str) -> Option<u128> {
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return None;
    }
    let mut total: u128 = 0;
    let mut section: u128 = 0;
    let mut current: Option<Decimal> = None;
    let mut last_large: Option<u128> = None;
    let mut last_small: Option<u128> = None;
    let mut saw_any = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            // An arabic run, with separators and a decimal part.
            if current.is_some() {
                return None;
            }
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_digit() || matches!(chars[i], ',' | '、' | '.'))
            {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            let clean = strip_group_separators(&run)?;
            let mut dec = Decimal {
                mantissa: 0,
                scale: 0,
                digits: 0,
            };
            let mut after_point = false;
            for ch in clean.chars() {
                if ch == '.' {
                    after_point = true;
                    continue;
                }
                dec = dec.push_digit(ch.to_digit(10)?)?;
                if after_point {
                    dec.scale += 1;
                }
            }
            current = Some(dec);
            saw_any = true;
            continue;
        }
        if let Some(d) = kanji_digit(c) {
            let base = current.unwrap_or(Decimal {
                mantissa: 0,
                scale: 0,
                digits: 0,
            });
            if base.scale > 0 {
                return None;
            }
            current = Some(base.push_digit(d)?);
            saw_any = true;
        } else if let Some(m) = small_multiplier(c) {
            if last_small.is_some_and(|l| l <= m) {
                return None;
            }
            let value = match current.take() {
                Some(dec) => dec.times(m)?,
                None => m,
            };
            section = section.checked_add(value)?;
            last_small = Some(m);
            saw_any = true;
        } else if let Some(m) = large_multiplier(c) {
            if last_large.is_some_and(|l| l <= m) {
                return None;
            }
            let value = match current.take() {
                Some(dec) if section == 0 => dec.times(m)?,
                Some(dec) => section.checked_add(dec.times(1)?)?.checked_mul(m)?,
                None if section > 0 => section.checked_mul(m)?,
                None => return None,
            };
            total = total.checked_add(value)?;
            section = 0;
            last_small = None;
            last_large = Some(m);
        } else {
            return None;
        }
        i += 1;
    }
    if !saw_any {
        return None;
    }
    let tail = match current {
        Some(dec) => dec.times(1)?,
        None => 0,
    };
    total.checked_add(section)?.checked_add(tail)
}

/// Parses a small kanji or arabic integer such as `十二`, `二十五`, `〇五`, `17`.
pub(crate) fn parse_small_number(s: &str) -> Option<u32> {
    if s.is_empty() || s.contains(['.', ',', '、']) {
        return None;
    }
    parse_japanese_number(s).and_then(|v| u32::try_from(v).ok())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn test_arabic_with_separators() {
        assert_eq!(parse_japanese_number("1,234,567"), Some(1_234_567));
        assert_eq!(parse_japanese_number("1、234、567"), Some(1_234_567));
        assert_eq!(parse_japanese_number("31389000.00"), Some(31_389_000));
        assert_eq!(parse_japanese_number("1,23"), None);
        assert_eq!(parse_japanese_number("12,3456"), None);
        assert_eq!(parse_japanese_number("1.5"), None);
    }

    #[test]
    fn test_kanji_numerals() {
        assert_eq!(parse_japanese_number("十"), Some(10));
        assert_eq!(parse_japanese_number("二十五"), Some(25));
        assert_eq!(parse_japanese_number("二〇二六"), Some(2026));
        assert_eq!(parse_japanese_number("二千二十六"), Some(2026));
        assert_eq!(parse_japanese_number("百二十"), Some(120));
        assert_eq!(parse_japanese_number("壱萬弐仟参百"), Some(12_300));
        assert_eq!(
            parse_japanese_number("壱百弐拾参萬四千五百"),
            Some(1_234_500)
        );
    }

    #[test]
    fn test_mixed_units() {
        assert_eq!(parse_japanese_number("1億5千万"), Some(150_000_000));
        assert_eq!(parse_japanese_number("7,800千"), Some(7_800_000));
        assert_eq!(parse_japanese_number("1.5億"), Some(150_000_000));
        assert_eq!(parse_japanese_number("12万3千"), Some(123_000));
        assert_eq!(parse_japanese_number("3億2,500万"), Some(325_000_000));
    }

    #[test]
    fn test_malformed_numbers_are_rejected() {
        assert_eq!(parse_japanese_number("万"), None);
        assert_eq!(parse_japanese_number("1万2億"), None);
        assert_eq!(parse_japanese_number("三千五千"), None);
        assert_eq!(parse_japanese_number(""), None);
        assert_eq!(parse_japanese_number("1.2.3"), None);
        assert_eq!(parse_japanese_number("12a"), None);
    }
}
