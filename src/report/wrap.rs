//! Word wrapping for the `full` report's help lines, so a long help reads as a
//! paragraph in the terminal instead of one line the terminal breaks mid-word.
//!
//! Lines break only at spaces, and never inside a backquoted span: `` `mlrun/mlrun:1.6.4` ``
//! or `` `pip install -r requirements.txt` `` stays whole, so it can be copied as
//! written. A word (or span) longer than the width gets a line of its own.

/// `text` broken into lines of at most `width` characters where it can be (see
/// the module docs), joined with `\n`. Existing line breaks are kept.
pub(super) fn wrap(text: &str, width: usize) -> String {
    text.split('\n')
        .map(|paragraph| wrap_line(paragraph, width))
        .collect::<Vec<_>>()
        .join("\n")
}

fn wrap_line(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut line_len = 0;
    for word in words(text) {
        let len = word.chars().count();
        if line_len > 0 && line_len + 1 + len > width {
            out.push('\n');
            line_len = 0;
        } else if line_len > 0 {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += len;
    }
    out
}

/// The units a line may break between: runs of text separated by spaces outside
/// backquotes. An unclosed backquote runs to the end of the text.
fn words(text: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = None;
    let mut in_code = false;
    for (at, c) in text.char_indices() {
        match c {
            '`' => {
                in_code = !in_code;
                start.get_or_insert(at);
            }
            ' ' if !in_code => {
                if let Some(from) = start.take() {
                    words.push(&text[from..at]);
                }
            }
            _ => {
                start.get_or_insert(at);
            }
        }
    }
    if let Some(from) = start {
        words.push(&text[from..]);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn breaks_at_spaces_within_the_width() {
        assert_eq!(
            wrap("the build installs whatever is newest on build day", 20),
            "the build installs\nwhatever is newest\non build day"
        );
        assert_eq!(wrap("short", 20), "short");
        assert_eq!(wrap("", 20), "");
    }

    #[test]
    fn never_breaks_inside_a_word_or_a_backquoted_span() {
        assert_eq!(
            wrap(
                "pin it to `mlrun/mlrun:1.6.4 (a b)` (client version 1.6.4)",
                16
            ),
            "pin it to\n`mlrun/mlrun:1.6.4 (a b)`\n(client version\n1.6.4)"
        );
        assert_eq!(
            wrap("see https://example.com/a/very/long/path now", 10),
            "see\nhttps://example.com/a/very/long/path\nnow"
        );
        // Counted in characters, not bytes.
        assert_eq!(wrap("ééééé ééééé", 11), "ééééé ééééé");
    }

    #[test]
    fn keeps_line_breaks_and_folds_runs_of_spaces() {
        assert_eq!(wrap("one two\nthree  four", 7), "one two\nthree\nfour");
        assert_eq!(
            wrap("an `open span to the end", 8),
            "an\n`open span to the end"
        );
    }
}
