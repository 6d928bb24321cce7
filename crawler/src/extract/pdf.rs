//! Text out of PDFs, including Japanese set in CID-keyed fonts.
//!
//! Municipal PDFs are mostly written by Word or Excel: Type0 fonts with `Identity-H` encoding, whose
//! codes are glyph ids that mean nothing without the font's `ToUnicode` CMap. Each text-showing
//! operator (`Tj`, `TJ`, `'`, `"`) is decoded with its font's map; older files that use the
//! predefined Japanese CMaps without a `ToUnicode` map are decoded from their encoding
//! (`90ms-RKSJ-H` → Shift_JIS, `UniJIS-UCS2-H` → UTF-16, `EUC-H` → EUC-JP).
//!
//! Layout is kept as far as a results table needs it: the text positioning operators start a new
//! line when the baseline moves, and a wide horizontal jump on the same line (a new table cell)
//! becomes two spaces, so [`text_table_rows`] can split the columns again. Glyph widths are
//! estimated (wide characters one em, others half an em), which is enough to tell a word gap from
//! a column gap.

use encoding_rs::{EUC_JP, SHIFT_JIS, UTF_16BE};
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object};

use super::{ExtractError, guarded, truncate_chars};

/// Most characters [`pdf_text`] returns.
pub const MAX_PDF_CHARS: usize = 200_000;

/// Most pages read from one PDF.
pub const MAX_PDF_PAGES: usize = 500;

/// The text of a PDF: one line per text line, table cells apart by two spaces, pages apart by a
/// blank line. At most [`MAX_PDF_CHARS`] characters. Never panics, whatever the bytes.
pub fn pdf_text(bytes: &[u8]) -> Result<String, ExtractError> {
    guarded("PDF", || {
        let doc = Document::load_mem(bytes).map_err(|e| ExtractError::Pdf(e.to_string()))?;
        let mut out = String::new();
        for (_, page_id) in doc.get_pages().into_iter().take(MAX_PDF_PAGES) {
            let page = page_text(&doc, page_id);
            if page.trim().is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(&page);
            if out.chars().count() > MAX_PDF_CHARS {
                break;
            }
        }
        truncate_chars(&mut out, MAX_PDF_CHARS);
        Ok(out)
    })
}

/// Splits text lines into cells where they hold a tab or a run of two or more white-space
/// characters (one full-width space inside a name does not split it). Blank lines are dropped.
pub fn text_table_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let mut cells = Vec::new();
            let mut cell = String::new();
            let mut gap = String::new();
            for c in line.trim().chars() {
                if c.is_whitespace() {
                    gap.push(c);
                    continue;
                }
                if !gap.is_empty() {
                    if gap.contains('\t') || gap.chars().count() >= 2 {
                        cells.push(std::mem::take(&mut cell));
                    } else {
                        cell.push_str(&gap);
                    }
                    gap.clear();
                }
                cell.push(c);
            }
            cells.push(cell);
            cells
        })
        .collect()
}

/// How one font's codes become text.
enum Decoder<'a> {
    /// The font's own `ToUnicode` map.
    ToUnicode(CMap),
    /// lopdf's decoding: a one-byte encoding or the `ToUnicode` map.
    Lopdf(lopdf::Encoding<'a>),
    /// A predefined CMap in a legacy character set.
    Legacy(&'static encoding_rs::Encoding),
    /// Nothing known: printable ASCII bytes only.
    Ascii,
}

impl Decoder<'_> {
    fn for_font<'d>(doc: &'d Document, font: &'d Dictionary) -> Decoder<'d> {
        let to_unicode = font
            .get_deref(b"ToUnicode", doc)
            .and_then(Object::as_stream)
            .ok()
            .map(|s| {
                s.decompressed_content()
                    .unwrap_or_else(|_| s.content.clone())
            })
            .map(|bytes| CMap::parse(&bytes))
            .filter(|m| !m.is_empty());
        if let Some(map) = to_unicode {
            return Decoder::ToUnicode(map);
        }
        match font.get_font_encoding(doc) {
            Ok(lopdf::Encoding::SimpleEncoding(name)) => {
                let name = String::from_utf8_lossy(name).to_ascii_uppercase();
                if name.contains("RKSJ") {
                    Decoder::Legacy(SHIFT_JIS)
                } else if name.contains("UCS2") || name.contains("UTF16") {
                    Decoder::Legacy(UTF_16BE)
                } else if name.contains("EUC") {
                    Decoder::Legacy(EUC_JP)
                } else {
                    Decoder::Ascii
                }
            }
            Ok(encoding) => Decoder::Lopdf(encoding),
            Err(_) => Decoder::Ascii,
        }
    }

    fn decode(&self, bytes: &[u8]) -> String {
        let text = match self {
            Decoder::ToUnicode(map) => map.decode(bytes),
            Decoder::Lopdf(encoding) => encoding.bytes_to_string(bytes).unwrap_or_default(),
            Decoder::Legacy(encoding) => encoding.decode_without_bom_handling(bytes).0.into_owned(),
            Decoder::Ascii => bytes
                .iter()
                .filter(|b| b.is_ascii_graphic() || **b == b' ')
                .map(|b| char::from(*b))
                .collect(),
        };
        text.chars()
            .filter(|c| !c.is_control() && *c != '\u{FFFD}')
            .collect()
    }
}

/// A `ToUnicode` CMap, read leniently: writers differ in the boilerplate around the
/// `bfchar` / `bfrange` sections, so only those and the code space ranges are looked at.
#[derive(Debug, Default)]
struct CMap {
    /// `(low, high, bytes)` of each code space range.
    spaces: Vec<(u32, u32, usize)>,
    /// Single codes: `(code, bytes)` → text.
    chars: std::collections::HashMap<(u32, usize), String>,
    /// Ranges: low, high, bytes, and either the first target (incremented) or one per code.
    ranges: Vec<(u32, u32, usize, RangeTarget)>,
}

#[derive(Debug)]
enum RangeTarget {
    Start(Vec<u16>),
    Each(Vec<String>),
}

#[derive(Debug, PartialEq)]
enum Token {
    Hex(Vec<u8>),
    Open,
    Close,
    Word(String),
}

/// Tokens of a CMap program: hex strings, array brackets and bare words (names, numbers,
/// operators). Dictionaries and literal strings are skipped over.
fn cmap_tokens(src: &[u8]) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < src.len() {
        let b = src[i];
        match b {
            b'%' => {
                while i < src.len() && src[i] != b'\n' && src[i] != b'\r' {
                    i += 1;
                }
            }
            b'<' if src.get(i + 1) == Some(&b'<') => i += 2,
            b'>' if src.get(i + 1) == Some(&b'>') => i += 2,
            b'<' => {
                let end = src[i..]
                    .iter()
                    .position(|&c| c == b'>')
                    .map_or(src.len(), |p| i + p);
                let digits: Vec<u8> = src[i + 1..end]
                    .iter()
                    .filter_map(|c| char::from(*c).to_digit(16).map(|d| d as u8))
                    .collect();
                let bytes = digits
                    .chunks(2)
                    .map(|p| p[0] * 16 + p.get(1).copied().unwrap_or(0))
                    .collect();
                tokens.push(Token::Hex(bytes));
                i = end + 1;
            }
            b'[' => {
                tokens.push(Token::Open);
                i += 1;
            }
            b']' => {
                tokens.push(Token::Close);
                i += 1;
            }
            b'(' => {
                let mut depth = 0usize;
                while i < src.len() {
                    match src[i] {
                        b'\\' => i += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                let start = i;
                i += 1;
                while i < src.len() && !b"<>[]()%/ \t\r\n\x0c\0".contains(&src[i]) {
                    i += 1;
                }
                tokens.push(Token::Word(
                    String::from_utf8_lossy(&src[start..i]).into_owned(),
                ));
            }
        }
    }
    tokens
}

fn code_of(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .take(4)
        .fold(0u32, |acc, b| (acc << 8) | u32::from(*b))
}

fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(2)
        .map(|p| u16::from(p[0]) << 8 | u16::from(p.get(1).copied().unwrap_or(0)))
        .collect()
}

impl CMap {
    fn parse(src: &[u8]) -> CMap {
        let tokens = cmap_tokens(src);
        let mut map = CMap::default();
        let mut i = 0;
        let hex = |t: Option<&Token>| match t {
            Some(Token::Hex(b)) => Some(b.clone()),
            _ => None,
        };
        while i < tokens.len() {
            match &tokens[i] {
                Token::Word(w) if w == "begincodespacerange" => {
                    i += 1;
                    while let (Some(lo), Some(hi)) = (hex(tokens.get(i)), hex(tokens.get(i + 1))) {
                        map.spaces
                            .push((code_of(&lo), code_of(&hi), lo.len().clamp(1, 4)));
                        i += 2;
                    }
                }
                Token::Word(w) if w == "beginbfchar" => {
                    i += 1;
                    while let (Some(src), Some(dst)) = (hex(tokens.get(i)), hex(tokens.get(i + 1)))
                    {
                        let text = String::from_utf16_lossy(&utf16_units(&dst));
                        map.chars.insert((code_of(&src), src.len()), text);
                        i += 2;
                    }
                }
                Token::Word(w) if w == "beginbfrange" => {
                    i += 1;
                    while let (Some(lo), Some(hi)) = (hex(tokens.get(i)), hex(tokens.get(i + 1))) {
                        let (lo_code, hi_code) = (code_of(&lo), code_of(&hi));
                        match tokens.get(i + 2) {
                            Some(Token::Hex(dst)) => {
                                let target = RangeTarget::Start(utf16_units(dst));
                                map.ranges.push((lo_code, hi_code, lo.len(), target));
                                i += 3;
                            }
                            Some(Token::Open) => {
                                let mut each = Vec::new();
                                i += 3;
                                while let Some(Token::Hex(dst)) = tokens.get(i) {
                                    each.push(String::from_utf16_lossy(&utf16_units(dst)));
                                    i += 1;
                                }
                                if tokens.get(i) == Some(&Token::Close) {
                                    i += 1;
                                }
                                map.ranges.push((
                                    lo_code,
                                    hi_code,
                                    lo.len(),
                                    RangeTarget::Each(each),
                                ));
                            }
                            _ => break,
                        }
                    }
                }
                _ => i += 1,
            }
        }
        map
    }

    fn is_empty(&self) -> bool {
        self.chars.is_empty() && self.ranges.is_empty()
    }

    fn lookup(&self, code: u32, len: usize) -> Option<String> {
        if let Some(text) = self.chars.get(&(code, len)) {
            return Some(text.clone());
        }
        self.ranges
            .iter()
            .find(|(lo, hi, n, _)| *n == len && (*lo..=*hi).contains(&code))
            .and_then(|(lo, _, _, target)| {
                let offset = code - lo;
                match target {
                    RangeTarget::Start(units) => {
                        let mut units = units.clone();
                        if let Some(last) = units.last_mut() {
                            *last = last.wrapping_add(offset as u16);
                        }
                        Some(String::from_utf16_lossy(&units))
                    }
                    RangeTarget::Each(list) => list.get(offset as usize).cloned(),
                }
            })
    }

    /// The length of the code starting `bytes`: by the code space ranges, else the lengths the
    /// mappings use (two bytes, as Identity-H, when nothing says otherwise).
    fn code_len(&self, bytes: &[u8]) -> usize {
        for (lo, hi, n) in &self.spaces {
            if bytes.len() >= *n && (*lo..=*hi).contains(&code_of(&bytes[..*n])) {
                return *n;
            }
        }
        let used = self
            .chars
            .keys()
            .map(|(_, n)| *n)
            .chain(self.ranges.iter().map(|r| r.2))
            .min();
        used.unwrap_or(2).clamp(1, 4)
    }

    fn decode(&self, bytes: &[u8]) -> String {
        let mut out = String::new();
        let mut i = 0;
        while i < bytes.len() {
            let n = self.code_len(&bytes[i..]).min(bytes.len() - i);
            if let Some(text) = self.lookup(code_of(&bytes[i..i + n]), n) {
                out.push_str(&text);
            }
            i += n;
        }
        out
    }
}

/// An affine matrix `[a b c d e f]` as PDF writes it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Matrix([f32; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    fn translate(x: f32, y: f32) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    /// `self × other`, in PDF's row-vector convention (self applied first).
    fn then(self, other: Matrix) -> Matrix {
        let [a1, b1, c1, d1, e1, f1] = self.0;
        let [a2, b2, c2, d2, e2, f2] = other.0;
        Matrix([
            a1 * a2 + b1 * c2,
            a1 * b2 + b1 * d2,
            c1 * a2 + d1 * c2,
            c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2,
            e1 * b2 + f1 * d2 + f2,
        ])
    }

    fn scale(self) -> f32 {
        let [a, b, ..] = self.0;
        (a * a + b * b).sqrt()
    }
}

/// Where text is being set, and what has been set so far on the page.
struct Layout {
    ctm: Matrix,
    stack: Vec<Matrix>,
    tm: Matrix,
    tlm: Matrix,
    leading: f32,
    size: f32,
    lines: Vec<String>,
    /// Baseline and end of the last text shown, in user space.
    last: Option<(f32, f32)>,
}

impl Layout {
    fn new() -> Layout {
        Layout {
            ctm: Matrix::IDENTITY,
            stack: Vec::new(),
            tm: Matrix::IDENTITY,
            tlm: Matrix::IDENTITY,
            leading: 0.0,
            size: 0.0,
            lines: Vec::new(),
            last: None,
        }
    }

    fn move_line(&mut self, x: f32, y: f32) {
        self.tlm = Matrix::translate(x, y).then(self.tlm);
        self.tm = self.tlm;
    }

    /// Places `text` at the current point, then advances it by the text's estimated width plus
    /// `adjust` (text-space units).
    fn show(&mut self, text: &str, adjust: f32) {
        let device = self.tm.then(self.ctm);
        let em = (self.size * device.scale()).abs().max(0.1);
        let [.., x, y] = device.0;
        if !text.is_empty() {
            match self.last {
                Some((last_y, last_x)) if (y - last_y).abs() <= em * 0.5 => {
                    let gap = x - last_x;
                    let line = self.lines.last_mut();
                    if let Some(line) = line {
                        if gap > em * 0.9 || gap < -em * 2.0 {
                            line.push_str("  ");
                        } else if gap > em * 0.2 {
                            line.push(' ');
                        }
                        line.push_str(text);
                    }
                }
                _ => self.lines.push(text.to_string()),
            }
        }
        let ems: f32 = text
            .chars()
            .map(|c| if is_wide(c) { 1.0 } else { 0.5 })
            .sum();
        let advance = ems * self.size + adjust;
        self.tm = Matrix::translate(advance, 0.0).then(self.tm);
        if !text.is_empty() {
            let end = self.tm.then(self.ctm).0;
            self.last = Some((y, end[4]));
        }
    }
}

/// Whether a character is set one em wide in Japanese text.
fn is_wide(c: char) -> bool {
    let c = u32::from(c);
    (0x1100..=0x115F).contains(&c)
        || (0x2E80..=0xA4CF).contains(&c)
        || (0xAC00..=0xD7A3).contains(&c)
        || (0xF900..=0xFAFF).contains(&c)
        || (0xFE30..=0xFE4F).contains(&c)
        || (0xFF00..=0xFF60).contains(&c)
        || (0xFFE0..=0xFFE6).contains(&c)
        || c >= 0x20000
}

fn number(o: &Object) -> f32 {
    o.as_float().unwrap_or(0.0)
}

/// The text of one page, lines in content order.
fn page_text(doc: &Document, page_id: lopdf::ObjectId) -> String {
    let Ok(raw) = doc.get_page_content(page_id) else {
        return String::new();
    };
    let Ok(content) = Content::decode(&raw) else {
        return String::new();
    };
    let fonts = doc.get_page_fonts(page_id).unwrap_or_default();
    let mut decoders: Vec<(Vec<u8>, Decoder<'_>)> = Vec::new();
    let mut current: Option<usize> = None;
    let mut layout = Layout::new();
    let mut chars = 0usize;
    for op in &content.operations {
        let args = &op.operands;
        let arg = |i: usize| args.get(i).map(number).unwrap_or(0.0);
        match op.operator.as_str() {
            "q" => layout.stack.push(layout.ctm),
            "Q" => layout.ctm = layout.stack.pop().unwrap_or(Matrix::IDENTITY),
            "cm" if args.len() == 6 => {
                let m = Matrix([arg(0), arg(1), arg(2), arg(3), arg(4), arg(5)]);
                layout.ctm = m.then(layout.ctm);
            }
            "BT" => {
                layout.tm = Matrix::IDENTITY;
                layout.tlm = Matrix::IDENTITY;
            }
            "Tf" => {
                layout.size = arg(1);
                let name = args.first().and_then(|o| o.as_name().ok()).unwrap_or(b"");
                current = decoders.iter().position(|(n, _)| n == name);
                if current.is_none()
                    && let Some(font) = fonts.get(name)
                {
                    decoders.push((name.to_vec(), Decoder::for_font(doc, font)));
                    current = Some(decoders.len() - 1);
                }
            }
            "TL" => layout.leading = arg(0),
            "Td" => layout.move_line(arg(0), arg(1)),
            "TD" => {
                layout.leading = -arg(1);
                layout.move_line(arg(0), arg(1));
            }
            "Tm" if args.len() == 6 => {
                layout.tlm = Matrix([arg(0), arg(1), arg(2), arg(3), arg(4), arg(5)]);
                layout.tm = layout.tlm;
            }
            "T*" => layout.move_line(0.0, -layout.leading),
            "Tj" | "'" | "\"" | "TJ" => {
                if op.operator != "Tj" && op.operator != "TJ" {
                    layout.move_line(0.0, -layout.leading);
                }
                let decoder = current.and_then(|i| decoders.get(i)).map(|(_, d)| d);
                let pieces: Vec<&Object> = match args.last() {
                    Some(Object::Array(items)) if op.operator == "TJ" => items.iter().collect(),
                    Some(last) => vec![last],
                    None => Vec::new(),
                };
                for piece in pieces {
                    match piece {
                        Object::String(bytes, _) => {
                            let text = decoder.map(|d| d.decode(bytes)).unwrap_or_default();
                            chars += text.chars().count();
                            layout.show(&text, 0.0);
                        }
                        // A kerning adjustment in thousandths of an em; large ones are gaps.
                        other => layout.show("", -number(other) / 1000.0 * layout.size),
                    }
                }
            }
            _ => {}
        }
        if chars > MAX_PDF_CHARS {
            break;
        }
    }
    layout
        .lines
        .iter()
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A PDF whose text is set in a Type0 / Identity-H font with a ToUnicode CMap, CIDs assigned
    /// in order of first use (as a subsetting writer does). `cells` are `(x, y, text)`.
    pub(crate) fn cid_pdf(cells: &[(f32, f32, &str)]) -> Vec<u8> {
        let mut cids: Vec<char> = Vec::new();
        let mut stream = String::from("BT\n/F1 10.5 Tf\n");
        for (x, y, text) in cells {
            let mut hex = String::new();
            for c in text.chars() {
                let cid = match cids.iter().position(|k| *k == c) {
                    Some(i) => i + 1,
                    None => {
                        cids.push(c);
                        cids.len()
                    }
                };
                hex.push_str(&format!("{cid:04X}"));
            }
            stream.push_str(&format!("1 0 0 1 {x} {y} Tm\n<{hex}> Tj\n"));
        }
        stream.push_str("ET\n");
        let mut cmap = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CMapName /Adobe-Identity-UCS def\n1 begincodespacerange\n<0000> <FFFF>\n\
             endcodespacerange\n",
        );
        cmap.push_str(&format!("{} beginbfchar\n", cids.len()));
        for (i, c) in cids.iter().enumerate() {
            let mut units = [0u16; 2];
            let hex: String = c
                .encode_utf16(&mut units)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            cmap.push_str(&format!("<{:04X}> <{hex}>\n", i + 1));
        }
        cmap.push_str("endbfchar\nendcmap\nend\nend\n");
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
             /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
                .to_string(),
            format!("<< /Length {} >>\nstream\n{stream}endstream", stream.len()),
            "<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+MS-Mincho /Encoding /Identity-H \
             /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>"
                .to_string(),
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+MS-Mincho \
             /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>"
                .to_string(),
            format!("<< /Length {} >>\nstream\n{cmap}endstream", cmap.len()),
        ];
        let mut pdf = b"%PDF-1.7\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
        }
        let xref = pdf.len();
        pdf.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
        );
        for o in offsets {
            pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        pdf
    }

    #[test]
    fn japanese_text_in_a_cid_font_comes_out_by_its_tounicode_map() {
        let pdf = cid_pdf(&[
            (72.0, 760.0, "仕様書"),
            (72.0, 740.0, "業務名 田村市学校給食センター配送業務委託"),
            (72.0, 720.0, "保冷車は２台以上とする。"),
        ]);
        let text = pdf_text(&pdf).unwrap();
        assert_eq!(
            text,
            "仕様書\n業務名 田村市学校給食センター配送業務委託\n保冷車は２台以上とする。"
        );
    }

    #[test]
    fn table_cells_on_one_baseline_become_columns() {
        let pdf = cid_pdf(&[
            (50.0, 700.0, "番号"),
            (120.0, 700.0, "案件名"),
            (400.0, 700.0, "落札者"),
            (50.0, 680.0, "第8270号"),
            (120.0, 680.0, "市道舗装補修工事"),
            (400.0, 680.0, "株式会社　船引建設"),
        ]);
        let text = pdf_text(&pdf).unwrap();
        assert_eq!(
            text_table_rows(&text),
            vec![
                vec!["番号", "案件名", "落札者"],
                vec!["第8270号", "市道舗装補修工事", "株式会社　船引建設"],
            ]
        );
    }

    #[test]
    fn tounicode_maps_with_ranges_arrays_and_odd_boilerplate() {
        let src = b"%!PS-Adobe-3.0 Resource-CMap\n/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
            /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
            1 begincodespacerange <0000><FFFF> endcodespacerange\n\
            2 beginbfrange <0010> <0012> <5165> <0020> <0021> [<672D> <7D50>] endbfrange\n\
            1 beginbfchar <0030> <D842DFB7> endbfchar\n\
            endcmap CMapName currentdict /CMap defineresource pop end end";
        let map = CMap::parse(src);
        assert_eq!(
            map.decode(&[0, 0x10, 0, 0x12, 0, 0x20, 0, 0x21, 0, 0x30, 0, 0x99]),
            "入內札結𠮷"
        );
    }

    #[test]
    fn rows_split_on_tabs_and_wide_gaps_only() {
        let rows = text_table_rows("a b\tc   d\n\n  e　f  ");
        assert_eq!(rows, vec![vec!["a b", "c", "d"], vec!["e　f"]]);
    }

    #[test]
    fn malformed_pdfs_are_errors_not_panics() {
        let good = cid_pdf(&[(72.0, 700.0, "入札結果一覧表")]);
        assert!(pdf_text(b"").is_err());
        assert!(pdf_text(b"<html>not a pdf</html>").is_err());
        assert!(
            pdf_text(b"%PDF-1.4\n%%EOF")
                .map(|t| t.is_empty())
                .unwrap_or(true)
        );
        // Every truncation, and bytes flipped all over the file: never a panic, and any text
        // that comes out is bounded.
        for cut in (0..good.len()).step_by(7) {
            if let Ok(t) = pdf_text(&good[..cut]) {
                assert!(t.chars().count() <= MAX_PDF_CHARS);
            }
        }
        let mut seed = 0x2545_f491_u32;
        for _ in 0..300 {
            let mut bad = good.clone();
            for _ in 0..8 {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                let i = seed as usize % bad.len();
                bad[i] = (seed >> 8) as u8;
            }
            if let Ok(t) = pdf_text(&bad) {
                assert!(t.chars().count() <= MAX_PDF_CHARS);
            }
        }
    }
}
