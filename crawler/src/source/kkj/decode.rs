//! Lenient UTF-8 decoding of KKJ responses.
//!
//! KKJ responses occasionally carry CESU-8 surrogate bytes (`\xed\xa0\xb5…`) inside one record's
//! text: a strict decoder would then lose the whole batch of up to 1000 notices. Here valid
//! UTF-8 passes through, a CESU-8 surrogate pair becomes the supplementary character it encodes
//! (`𠮷`), and any other invalid byte sequence becomes U+FFFD.

/// Text decoded leniently, with counts of what had to be mended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text.
    pub text: String,
    /// CESU-8 surrogate pairs turned back into their character.
    pub repaired: usize,
    /// Invalid sequences replaced by U+FFFD.
    pub replaced: usize,
}

/// Decodes `bytes` as UTF-8, repairing CESU-8 surrogate pairs and replacing anything else that is
/// invalid with U+FFFD. A leading byte-order mark is dropped.
pub fn decode_lenient(bytes: &[u8]) -> Decoded {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut out = Decoded {
        text: String::with_capacity(bytes.len()),
        repaired: 0,
        replaced: 0,
    };
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.text.push_str(s);
                return out;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                // `good` is valid UTF-8 by construction.
                out.text.push_str(&String::from_utf8_lossy(good));
                if let Some(c) = cesu_pair(bad) {
                    out.text.push(c);
                    out.repaired += 1;
                    rest = &bad[6..];
                } else {
                    out.text.push(char::REPLACEMENT_CHARACTER);
                    out.replaced += 1;
                    let skip = e.error_len().unwrap_or(bad.len()).max(1);
                    rest = &bad[skip.min(bad.len())..];
                }
            }
        }
    }
}

/// A CESU-8 surrogate pair at the start of `b`: `ED A0–AF xx ED B0–BF xx`.
fn cesu_pair(b: &[u8]) -> Option<char> {
    let [b0, b1, b2, b3, b4, b5, ..] = *b else {
        return None;
    };
    let cont = |x: u8| x & 0xC0 == 0x80;
    if b0 != 0xED || !(0xA0..=0xAF).contains(&b1) || !cont(b2) {
        return None;
    }
    if b3 != 0xED || !(0xB0..=0xBF).contains(&b4) || !cont(b5) {
        return None;
    }
    let high = 0xD000 | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F);
    let low = 0xD000 | (u32::from(b4 & 0x3F) << 6) | u32::from(b5 & 0x3F);
    char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
}

/// Encodes `s` as CESU-8: supplementary characters become surrogate pairs of three bytes each.
/// The look-alike KKJ server uses it to reproduce the broken records of the real service.
pub fn encode_cesu8(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 8);
    for c in s.chars() {
        if (c as u32) < 0x10000 {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units).iter() {
                let u = u32::from(*unit);
                out.push(0xE0 | (u >> 12) as u8);
                out.push(0x80 | ((u >> 6) & 0x3F) as u8);
                out.push(0x80 | (u & 0x3F) as u8);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_utf8_passes_through() {
        let d = decode_lenient("庁舎清掃業務委託".as_bytes());
        assert_eq!(d.text, "庁舎清掃業務委託");
        assert_eq!((d.repaired, d.replaced), (0, 0));
    }

    #[test]
    fn cesu8_pairs_are_repaired() {
        let bytes = encode_cesu8("株式会社𠮷田工務店");
        assert!(std::str::from_utf8(&bytes).is_err());
        let d = decode_lenient(&bytes);
        assert_eq!(d.text, "株式会社𠮷田工務店");
        assert_eq!((d.repaired, d.replaced), (1, 0));
    }

    #[test]
    fn lone_surrogates_and_stray_bytes_become_replacement_characters() {
        let mut bytes = b"<a>".to_vec();
        bytes.extend_from_slice(&[0xED, 0xA0, 0xB5]); // a high surrogate alone
        bytes.extend_from_slice("清掃".as_bytes());
        bytes.push(0xFF);
        bytes.extend_from_slice(b"</a>");
        bytes.extend_from_slice(&[0xE6, 0xB8]); // truncated at the end
        let d = decode_lenient(&bytes);
        assert!(d.text.starts_with("<a>\u{FFFD}"), "{}", d.text);
        assert!(d.text.contains("清掃\u{FFFD}</a>"), "{}", d.text);
        assert!(d.text.ends_with('\u{FFFD}'));
        assert_eq!(d.repaired, 0);
        assert!(d.replaced >= 3);
    }

    #[test]
    fn bom_is_dropped() {
        assert_eq!(decode_lenient(b"\xEF\xBB\xBF<x/>").text, "<x/>");
    }
}
