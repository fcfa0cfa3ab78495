//! Tags (serde-saphyr's classification): what a node's tag means ([`SfTag`]),
//! and the refusal of a tag on the wrong kind of node.

use super::errors::Fail;
use crate::span::Span;
use granit_parser::Tag;

pub(super) const YAML_TAG_NAMESPACE: &str = "tag:yaml.org,2002:";

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum SfTag {
    None,
    Int,
    Float,
    Bool,
    Null,
    Seq,
    Map,
    TimeStamp,
    Time,
    Binary,
    String,
    Merge,
    Value,
    NonSpecific,
    Include,
    Degrees,
    Radians,
    Other,
}

#[derive(Copy, Clone, PartialEq, Eq)]
pub(super) enum TagNode {
    Scalar,
    Sequence,
    Mapping,
}

impl SfTag {
    pub(super) fn of(tag: Option<&Tag>) -> SfTag {
        let Some(tag) = tag else {
            return SfTag::None;
        };
        for prefix in [
            "!include",
            "tag:yaml.org,2002:include",
            "tag:yaml.org,2002:!include",
        ] {
            if let Some(rest) = tag.suffix_in_namespace(prefix) {
                if rest.is_empty() || rest.starts_with('#') {
                    return SfTag::Include;
                }
            }
        }
        if let Some(core) = tag.core_suffix().and_then(core_suffix_tag) {
            return core;
        }
        if is_yaml_merge_tag(tag) {
            return SfTag::Merge;
        }
        if tag
            .suffix_in_namespace(YAML_TAG_NAMESPACE)
            .is_some_and(|suffix| suffix == "value")
        {
            return SfTag::Value;
        }
        if let Some(suffix) = tag.suffix_in_namespace(YAML_TAG_NAMESPACE) {
            return tag_name(suffix.strip_prefix('!').unwrap_or(&suffix));
        }
        let Some(suffix) = tag.suffix_in_namespace("!") else {
            return SfTag::Other;
        };
        match suffix.as_ref() {
            "" | "!" => SfTag::NonSpecific,
            "!timestamp" => SfTag::TimeStamp,
            "!binary" => SfTag::Binary,
            name => match name.strip_prefix('!') {
                Some(name) => core_suffix_tag(name).unwrap_or(SfTag::Other),
                None => tag_name(name),
            },
        }
    }

    const fn requires(self) -> Option<TagNode> {
        match self {
            SfTag::Int
            | SfTag::Float
            | SfTag::Bool
            | SfTag::Null
            | SfTag::TimeStamp
            | SfTag::Time
            | SfTag::Binary
            | SfTag::String
            | SfTag::Merge
            | SfTag::Value
            | SfTag::Include
            | SfTag::Degrees
            | SfTag::Radians => Some(TagNode::Scalar),
            SfTag::Seq => Some(TagNode::Sequence),
            SfTag::Map => Some(TagNode::Mapping),
            SfTag::None | SfTag::NonSpecific | SfTag::Other => None,
        }
    }

    pub(super) fn forces_string(self) -> bool {
        matches!(self, SfTag::String | SfTag::NonSpecific)
    }

    pub(super) fn is_robotics(self) -> bool {
        matches!(self, SfTag::Time | SfTag::Degrees | SfTag::Radians)
    }

    pub(super) fn can_parse_into_string(self) -> bool {
        matches!(
            self,
            SfTag::None
                | SfTag::String
                | SfTag::Merge
                | SfTag::Value
                | SfTag::Other
                | SfTag::Include
                | SfTag::NonSpecific
        )
    }

    pub(super) fn is_core(self) -> bool {
        matches!(
            self,
            SfTag::Int
                | SfTag::Float
                | SfTag::Bool
                | SfTag::Null
                | SfTag::Seq
                | SfTag::Map
                | SfTag::String
        )
    }
}

fn tag_name(name: &str) -> SfTag {
    match name {
        "int" => SfTag::Int,
        "float" => SfTag::Float,
        "bool" => SfTag::Bool,
        "null" => SfTag::Null,
        "seq" => SfTag::Seq,
        "map" => SfTag::Map,
        "str" => SfTag::String,
        "timestamp" => SfTag::TimeStamp,
        "time" => SfTag::Time,
        "binary" => SfTag::Binary,
        "include" => SfTag::Include,
        "degrees" => SfTag::Degrees,
        "radians" => SfTag::Radians,
        _ => SfTag::Other,
    }
}

fn core_suffix_tag(suffix: &str) -> Option<SfTag> {
    match suffix {
        "null" => Some(SfTag::Null),
        "bool" => Some(SfTag::Bool),
        "int" => Some(SfTag::Int),
        "float" => Some(SfTag::Float),
        "map" => Some(SfTag::Map),
        "seq" => Some(SfTag::Seq),
        "str" => Some(SfTag::String),
        _ => None,
    }
}

pub(super) fn is_yaml_merge_tag(tag: &Tag) -> bool {
    tag.suffix_in_namespace(YAML_TAG_NAMESPACE)
        .is_some_and(|suffix| suffix == "merge")
}

/// A tag on the wrong kind of node (`!!str` on a map) is refused.
pub(super) fn check_tag(
    kind: SfTag,
    tag: Option<&Tag>,
    node: TagNode,
    span: Span,
) -> Result<(), Fail> {
    match kind.requires() {
        Some(required) if required != node => {
            if kind == SfTag::Include {
                Err(Fail::at(
                    "!include currently only supports the scalar form: !include <path>",
                    span,
                ))
            } else {
                let tag = tag.map_or_else(String::new, Tag::original);
                Err(Fail::at(format!("unsupported tag `{tag}`"), span))
            }
        }
        _ => Ok(()),
    }
}
