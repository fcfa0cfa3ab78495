//! Why a parse failed, and where: the [`Fail`] every stage returns (kind,
//! message, location), serde-saphyr's messages, and the mapping of a failure's
//! location to a byte offset of the text when the public [`ParseError`] is made.

use super::budget::BudgetBreach;
use super::{ParseError, ParseErrorKind, MAX_NODES};
use crate::span::Span;
use granit_parser::{ErrorKind, ScanError};

/// Where an error is: a byte offset (events carry byte spans), or a line and a
/// 1-based character column (the scanner's errors).
#[derive(Clone, Copy, Debug)]
pub(super) enum ErrLoc {
    Byte(usize),
    LineCol(usize, usize),
    Unknown,
}

#[derive(Debug)]
pub(super) struct Fail {
    kind: ParseErrorKind,
    message: String,
    loc: ErrLoc,
}

impl Fail {
    pub(super) fn syntax(message: impl Into<String>, loc: ErrLoc) -> Self {
        Fail {
            kind: ParseErrorKind::Syntax,
            message: message.into(),
            loc,
        }
    }

    pub(super) fn at(message: impl Into<String>, span: Span) -> Self {
        Self::syntax(message, ErrLoc::Byte(span.start))
    }

    pub(super) fn budget(breach: BudgetBreach, loc: ErrLoc) -> Self {
        let (kind, message) = match breach {
            BudgetBreach::Depth { .. } => (
                ParseErrorKind::TooDeep,
                format!("budget breached: {breach:?}"),
            ),
            BudgetBreach::Nodes { .. } => (
                ParseErrorKind::TooLarge,
                format!("it holds more than {MAX_NODES} values once aliases are expanded"),
            ),
            BudgetBreach::Aliases { .. } | BudgetBreach::AliasAnchorRatio { .. } => {
                (ParseErrorKind::TooLarge, ALIAS_BOMB.to_string())
            }
            _ => (
                ParseErrorKind::TooLarge,
                format!("budget breached: {breach:?}"),
            ),
        };
        Fail { kind, message, loc }
    }

    pub(super) fn alias_bomb(loc: ErrLoc) -> Self {
        Fail {
            kind: ParseErrorKind::TooLarge,
            message: ALIAS_BOMB.to_string(),
            loc,
        }
    }

    pub(super) fn scan(err: &ScanError) -> Self {
        let mark = err.marker();
        let loc = ErrLoc::LineCol(mark.line(), mark.col() + 1);
        let message = match err.kind() {
            ErrorKind::UnknownAnchor => UNKNOWN_ANCHOR.to_string(),
            _ => err.info(),
        };
        // The scanner refuses flow nesting past its own limit with a plain
        // message; it is the same refusal of a too-deep document.
        let kind = if message.contains("recursion limit") || message.contains("nesting limit") {
            ParseErrorKind::TooDeep
        } else {
            ParseErrorKind::Syntax
        };
        Fail { kind, message, loc }
    }

    pub(super) fn into_error(self, text: &str) -> ParseError {
        ParseError {
            kind: self.kind,
            message: self.message,
            offset: byte_offset(text, self.loc),
        }
    }
}

const ALIAS_BOMB: &str = "its aliases expand too far (a possible billion-laughs attack)";
pub(super) const UNKNOWN_ANCHOR: &str = "alias references unknown anchor";
pub(super) const RECURSIVE_ALIAS: &str = "recursive references require weak recursion types";
pub(super) const BAD_MERGE: &str = "YAML merge value must be mapping or sequence of mappings";

/// The byte offset of `loc` in `text`. Scanner errors carry only a line and a
/// character column, so those are mapped through the text.
pub(super) fn byte_offset(text: &str, loc: ErrLoc) -> Option<usize> {
    let (line, column) = match loc {
        ErrLoc::Byte(offset) => return Some(offset).filter(|&o| o <= text.len()),
        ErrLoc::LineCol(line, column) => (line, column),
        ErrLoc::Unknown => return None,
    };
    let line = line.checked_sub(1)?;
    let column = column.saturating_sub(1);
    let line_start = if line == 0 {
        0
    } else {
        text.match_indices('\n').nth(line - 1)?.0 + 1
    };
    let rest = &text[line_start..];
    let line_text = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let within = line_text
        .char_indices()
        .nth(column)
        .map_or(line_text.len(), |(i, _)| i);
    Some(line_start + within)
}
