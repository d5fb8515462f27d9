//! Text from cards, files and servers made safe to print on a terminal: every C0 and C1 control
//! character (ESC, BEL, CR, backspace…), DEL, and the Unicode controls that reorder or hide text
//! (bidirectional overrides and isolates, zero-width joiners used to forge lines) is written as
//! `\u{…}`, so a card can neither retitle the terminal, clear the screen, move the cursor nor
//! forge lines of a report (CWE-150). Colour codes are the renderers' own, added around escaped
//! text. JSON, SARIF and the BOMs are escaped by their serialisers; CSV cells by
//! [`spreadsheet_cell`].

use std::borrow::Cow;

/// Whether a character must not reach a terminal as itself.
fn unsafe_char(c: char, keep_newlines: bool) -> bool {
    match c {
        '\n' | '\t' => !keep_newlines,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        // Bidirectional embeddings, overrides and isolates; the marks that steer them.
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' => true,
        // Line and paragraph separators, zero-width characters, the byte-order mark.
        '\u{2028}' | '\u{2029}' | '\u{200b}'..='\u{200d}' | '\u{feff}' => true,
        _ => false,
    }
}

fn escape(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !s.chars().any(|c| unsafe_char(c, keep_newlines)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c, keep_newlines) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Outside text on one line of terminal output: every control escaped, newlines and tabs too.
pub fn line(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// Outside text that may span lines (an error's message): controls escaped, newlines and tabs
/// kept.
pub fn block(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

/// JSON text with the characters its serialiser leaves raw but a terminal may act on (C1
/// controls, DEL, the Unicode controls of [`line`]) written as `\uXXXX` escapes. They can only
/// stand inside JSON strings, so the document means the same.
pub fn json(text: String) -> String {
    if !text.chars().any(|c| unsafe_char(c, true)) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c, true) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// A CSV cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, or a
/// tab or carriage return) gets a leading `'`, as OWASP advises for spreadsheet export; other
/// cells are unchanged.
pub fn spreadsheet_cell(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_controls_are_written_out_and_plain_text_is_untouched() {
        let hostile = "mit\u{1b}]0;owned\u{7}\u{1b}[2J\rFAKE\u{9b}31m\u{202e}txt.exe\u{2028}x";
        let safe = line(hostile);
        assert!(!safe.chars().any(|c| c.is_control()), "{safe}");
        assert_eq!(
            safe,
            "mit\\u{1b}]0;owned\\u{7}\\u{1b}[2J\\u{d}FAKE\\u{9b}31m\\u{202e}txt.exe\\u{2028}x"
        );
        assert_eq!(line("a\nb"), "a\\u{a}b");
        assert_eq!(block("a\nb\u{1b}c"), "a\nb\\u{1b}c");
        assert!(matches!(line("Llama 2 — 量化模型 ✓"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_keeps_its_meaning_without_raw_controls() {
        let v = serde_json::json!({"name": "a\u{9b}31m\u{202e}b\u{1b}c"});
        let text = json(serde_json::to_string(&v).unwrap());
        assert!(!text.chars().any(|c| c.is_control()), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn spreadsheet_formulas_are_neutralised() {
        for cell in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert!(spreadsheet_cell(cell).starts_with('\''), "{cell}");
        }
        assert_eq!(spreadsheet_cell("apache-2.0"), "apache-2.0");
        assert_eq!(spreadsheet_cell(""), "");
    }
}
