//! Key identity (serde-saphyr's key fingerprints), for merges and integer keys:
//! two keys are one when their fingerprints are equal, which for an integer is
//! its value, not its spelling; and the last-wins policy for buffered entries.

use super::events::{Ev, Kind};
use super::scalars::{parse_int, scalar_is_null, yaml_trim};
use super::tags::SfTag;
use granit_parser::ScalarStyle;
use std::borrow::Cow;
use std::collections::HashSet;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum KeyTag {
    Semantic(SfTag),
    Custom(Box<str>),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Fp<'a> {
    Recursive(usize),
    /// Integer identity, independent of spelling (`1`, `0x1`, `+1`).
    Integer {
        negative: bool,
        magnitude: u128,
    },
    Scalar {
        value: Cow<'a, str>,
        tag: KeyTag,
    },
    Sequence {
        tag: KeyTag,
        elements: Vec<Fp<'a>>,
    },
    Mapping {
        tag: KeyTag,
        entries: Vec<(Fp<'a>, Fp<'a>)>,
    },
}

impl Fp<'_> {
    pub(super) fn contains_integer(&self) -> bool {
        match self {
            Fp::Integer { .. } => true,
            Fp::Sequence { elements, .. } => elements.iter().any(Fp::contains_integer),
            Fp::Mapping { entries, .. } => entries
                .iter()
                .any(|(k, v)| k.contains_integer() || v.contains_integer()),
            Fp::Scalar { .. } | Fp::Recursive(_) => false,
        }
    }
}

fn key_tag(tag: SfTag, raw_tag: Option<&str>, implicit: SfTag) -> KeyTag {
    if tag == SfTag::Other
        || (implicit == SfTag::Map && tag == SfTag::Map && raw_tag == Some("!map"))
    {
        if let Some(raw) = raw_tag {
            return KeyTag::Custom(raw.into());
        }
    }
    let tag = if matches!(tag, SfTag::None | SfTag::NonSpecific) {
        implicit
    } else if implicit == SfTag::String && tag.can_parse_into_string() {
        SfTag::String
    } else {
        tag
    };
    KeyTag::Semantic(tag)
}

pub(super) fn scalar_fp<'a>(
    value: &Cow<'a, str>,
    style: ScalarStyle,
    tag: SfTag,
    raw_tag: Option<&str>,
) -> Fp<'a> {
    if tag == SfTag::Int || (tag == SfTag::None && matches!(style, ScalarStyle::Plain)) {
        let signed = yaml_trim(value).starts_with('-');
        if let Some((negative, magnitude)) = parse_int(value, signed) {
            return Fp::Integer {
                negative,
                magnitude,
            };
        }
    }
    let tag = if tag == SfTag::None && scalar_is_null(tag, value, style) {
        SfTag::Null
    } else {
        tag
    };
    Fp::Scalar {
        value: value.clone(),
        tag: key_tag(tag, raw_tag, SfTag::String),
    }
}

/// The fingerprint of the node starting at `events[*at]`; moves `at` past it.
pub(super) fn node_fp<'a>(events: &[Ev<'a>], at: &mut usize) -> Fp<'a> {
    let ev = &events[*at];
    *at += 1;
    match &ev.kind {
        Kind::RecursiveAlias { anchor } => Fp::Recursive(*anchor),
        Kind::Scalar {
            value,
            style,
            tag,
            raw_tag,
        } => scalar_fp(value, *style, *tag, raw_tag.as_deref()),
        Kind::SeqStart { tag, raw_tag } => {
            let tag = key_tag(*tag, raw_tag.as_deref(), SfTag::Seq);
            let mut elements = Vec::new();
            while *at < events.len() && !matches!(events[*at].kind, Kind::SeqEnd) {
                elements.push(node_fp(events, at));
            }
            *at += 1;
            Fp::Sequence { tag, elements }
        }
        Kind::MapStart { tag, raw_tag } => {
            let tag = key_tag(*tag, raw_tag.as_deref(), SfTag::Map);
            let mut entries = Vec::new();
            while *at < events.len() && !matches!(events[*at].kind, Kind::MapEnd) {
                let key = node_fp(events, at);
                let value = node_fp(events, at);
                entries.push((key, value));
            }
            *at += 1;
            entries.sort();
            Fp::Mapping { tag, entries }
        }
        Kind::SeqEnd | Kind::MapEnd => Fp::Recursive(usize::MAX),
    }
}

pub(super) fn is_merge_key(ev: &Ev<'_>) -> bool {
    matches!(&ev.kind, Kind::Scalar { value, tag, style, .. }
        if value == "<<" && (*tag == SfTag::Merge || *tag == SfTag::None && matches!(style, ScalarStyle::Plain)))
}

/// A key and its value, recorded, not yet built (merged entries, and the entries
/// of a map after an integer key, are built only if they survive).
pub(super) struct Entry<'a> {
    pub(super) key: Vec<Ev<'a>>,
    pub(super) fp: Fp<'a>,
    pub(super) value: Vec<Ev<'a>>,
}

/// Keeps the last entry of each key, in order (serde-saphyr's last-wins policy
/// for buffered entries).
pub(super) fn last_wins(entries: Vec<Entry<'_>>) -> Vec<Entry<'_>> {
    let mut seen = HashSet::with_capacity(entries.len());
    let mut kept: Vec<Entry<'_>> = entries
        .into_iter()
        .rev()
        .filter(|e| seen.insert(e.fp.clone()))
        .collect();
    kept.reverse();
    kept
}
