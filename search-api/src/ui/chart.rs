//! Server-side SVG bar chart of award statistics (no JavaScript).

use std::fmt::Write as _;

use super::format::yen;

/// One bar.
pub(crate) struct Bar {
    /// Group label.
    pub label: String,
    /// Value in yen.
    pub value: u64,
    /// Awards behind the value.
    pub n: u64,
}

fn esc(s: &str) -> String {
    crate::feeds::atom::xml(s)
}

/// Shortens a label to `max` characters.
fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    }
}

/// A horizontal bar chart; `title` names it for assistive technology.
pub(crate) fn bars(title: &str, bars: &[Bar]) -> String {
    let row = 28;
    let label_w = 190;
    let width = 720;
    let bar_w = 360;
    let height = 36 + row * bars.len().max(1);
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" aria-labelledby=\"chart-title\">\
<title id=\"chart-title\">{}</title>",
        esc(title)
    );
    let _ = write!(
        svg,
        "<text x=\"0\" y=\"18\" class=\"chart-heading\">{}</text>",
        esc(title)
    );
    if bars.is_empty() {
        let _ = write!(svg, "<text x=\"0\" y=\"50\">データがありません</text>");
    }
    for (i, b) in bars.iter().enumerate() {
        let y = 30 + i * row;
        let w = ((b.value as f64 / max as f64) * bar_w as f64)
            .round()
            .max(1.0) as u64;
        let _ = write!(
            svg,
            "<g><title>{label}: {value}（{n}件）</title>\
<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{short}</text>\
<rect x=\"{bx}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" rx=\"2\"/>\
<text x=\"{vx}\" y=\"{ty}\">{value}</text></g>",
            label = esc(&b.label),
            value = esc(&yen(b.value)),
            n = b.n,
            lx = label_w - 8,
            ty = y + 17,
            short = esc(&short(&b.label, 14)),
            bx = label_w,
            h = row - 8,
            vx = label_w as u64 + w + 6,
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value() {
        let svg = bars(
            "落札金額の中央値",
            &[
                Bar {
                    label: "A<社>".into(),
                    value: 100,
                    n: 3,
                },
                Bar {
                    label: "B".into(),
                    value: 50,
                    n: 1,
                },
            ],
        );
        assert!(svg.contains("width=\"360\""), "{svg}");
        assert!(svg.contains("width=\"180\""), "{svg}");
        assert!(svg.contains("A&lt;社&gt;"));
        assert!(!svg.contains("A<社>"));
    }
}
