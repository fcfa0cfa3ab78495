//! The resource budgets serde-saphyr enforces on a whole stream (events, aliases,
//! anchors, depth, documents, nodes, scalar bytes, merge keys, recorded anchor
//! events and bytes, the alias/anchor ratio), counted event by event so that a
//! hostile file is refused where serde-saphyr refused it, with its message.

use super::{MAX_DEPTH, MAX_NODES};
use granit_parser::{ScalarStyle, Tag};
use std::collections::HashSet;

/// A budget that ran out, named and formatted as serde-saphyr's `BudgetBreach`
/// (its `Debug` text is part of the message shown for the ones without a message
/// of their own).
#[derive(Clone, Debug)]
#[expect(
    dead_code,
    reason = "the fields are read through `Debug`, in the message"
)]
pub(super) enum BudgetBreach {
    Events { events: usize },
    Aliases { aliases: usize },
    Anchors { anchors: usize },
    Depth { depth: usize },
    Documents { documents: usize },
    Nodes { nodes: usize },
    ScalarBytes { total_scalar_bytes: usize },
    MergeKeys { merge_keys: usize },
    AliasAnchorRatio { aliases: usize, anchors: usize },
    SequenceUnbalanced,
    RecordedAnchorEvents { recorded_anchor_events: usize },
    RecordedAnchorBytes { recorded_anchor_bytes: usize },
}

/// The counters of serde-saphyr's `BudgetEnforcer` (whole-stream scope), with the
/// limits [`parse`](super::parse) has always used: its defaults, depth [`MAX_DEPTH`] and nodes
/// [`MAX_NODES`].
pub(super) struct Budget {
    events: usize,
    aliases: usize,
    anchors: HashSet<usize>,
    recorded_anchor_events: usize,
    recorded_anchor_bytes: usize,
    documents: usize,
    nodes: usize,
    depth: usize,
    max_depth: usize,
    scalar_bytes: usize,
    merge_keys: usize,
    /// Open containers: for a map, whether its next child is a key; and whether
    /// the container is itself a map value.
    containers: Vec<(bool, bool, bool)>,
}

const MAX_EVENTS: usize = 1_000_000;
const MAX_ALIASES: usize = 50_000;
const MAX_ANCHORS: usize = 50_000;
const MAX_RECORDED_ANCHOR_EVENTS: usize = 1_000_000;
const MAX_RECORDED_ANCHOR_BYTES: usize = 64 * 1024 * 1024;
const MAX_DOCUMENTS: usize = 1_024;
const MAX_SCALAR_BYTES: usize = 64 * 1024 * 1024;
const MAX_MERGE_KEYS: usize = 10_000;
pub(super) const MAX_REPLAYED_EVENTS: usize = 1_000_000;
const ALIAS_RATIO_MIN_ALIASES: usize = 100;
const ALIAS_RATIO: usize = 10;

/// What the budget sees of one event.
pub(super) enum Seen<'e> {
    Scalar {
        value: &'e str,
        style: ScalarStyle,
        tag_len: usize,
        /// `None` untagged, `Some(true)` the YAML merge tag, `Some(false)` another.
        merge_tag: Option<bool>,
        anchor: usize,
    },
    Start {
        map: bool,
        tag_len: usize,
        anchor: usize,
    },
    End {
        map: bool,
    },
    DocumentStart,
    Other,
}

impl Budget {
    pub(super) fn new() -> Self {
        Budget {
            events: 0,
            aliases: 0,
            anchors: HashSet::new(),
            recorded_anchor_events: 0,
            recorded_anchor_bytes: 0,
            documents: 0,
            nodes: 0,
            depth: 0,
            max_depth: 0,
            scalar_bytes: 0,
            merge_keys: 0,
            containers: Vec::new(),
        }
    }

    pub(super) fn observe(&mut self, seen: Seen) -> Result<(), BudgetBreach> {
        self.events += 1;
        if self.events > MAX_EVENTS {
            return Err(BudgetBreach::Events {
                events: self.events,
            });
        }
        match seen {
            Seen::Scalar {
                value,
                style,
                tag_len,
                merge_tag,
                anchor,
            } => {
                self.bump_nodes()?;
                self.bump_scalar_bytes(value.len().saturating_add(tag_len))?;
                self.record_anchor(anchor)?;
                if let Some((true, expecting_key, _)) = self.containers.last_mut() {
                    if *expecting_key {
                        let plain = matches!(style, ScalarStyle::Plain);
                        if value == "<<"
                            && (merge_tag == Some(true) || merge_tag.is_none() && plain)
                        {
                            self.merge_keys += 1;
                            if self.merge_keys > MAX_MERGE_KEYS {
                                return Err(BudgetBreach::MergeKeys {
                                    merge_keys: self.merge_keys,
                                });
                            }
                        }
                        *expecting_key = false;
                    } else {
                        *expecting_key = true;
                    }
                }
            }
            Seen::Start {
                map,
                tag_len,
                anchor,
            } => {
                self.bump_nodes()?;
                self.depth = self.depth.saturating_add(1);
                self.max_depth = self.max_depth.max(self.depth);
                if self.max_depth > MAX_DEPTH {
                    return Err(BudgetBreach::Depth {
                        depth: self.max_depth,
                    });
                }
                self.bump_scalar_bytes(tag_len)?;
                let from_value = match self.containers.last_mut() {
                    Some((true, expecting_key, _)) if *expecting_key => {
                        *expecting_key = false;
                        false
                    }
                    Some((true, _, _)) => true,
                    _ => false,
                };
                self.containers.push((map, true, from_value));
                self.record_anchor(anchor)?;
            }
            Seen::End { map } => {
                self.depth = self
                    .depth
                    .checked_sub(1)
                    .ok_or(BudgetBreach::SequenceUnbalanced)?;
                let from_value = match self.containers.pop() {
                    Some((was_map, _, from_value)) if was_map == map => from_value,
                    _ => return Err(BudgetBreach::SequenceUnbalanced),
                };
                if from_value {
                    if let Some((true, expecting_key, _)) = self.containers.last_mut() {
                        *expecting_key = true;
                    }
                }
            }
            Seen::DocumentStart => {
                self.documents += 1;
                if self.documents > MAX_DOCUMENTS {
                    return Err(BudgetBreach::Documents {
                        documents: self.documents,
                    });
                }
            }
            Seen::Other => {}
        }
        Ok(())
    }

    /// An alias token: counted, without advancing a map's key/value state (its
    /// replayed events do that).
    pub(super) fn observe_alias(&mut self) -> Result<(), BudgetBreach> {
        self.events += 1;
        if self.events > MAX_EVENTS {
            return Err(BudgetBreach::Events {
                events: self.events,
            });
        }
        self.aliases += 1;
        if self.aliases > MAX_ALIASES {
            return Err(BudgetBreach::Aliases {
                aliases: self.aliases,
            });
        }
        Ok(())
    }

    pub(super) fn observe_anchor_copy(&mut self, owned_bytes: usize) -> Result<(), BudgetBreach> {
        self.recorded_anchor_events = self.recorded_anchor_events.saturating_add(1);
        if self.recorded_anchor_events > MAX_RECORDED_ANCHOR_EVENTS {
            return Err(BudgetBreach::RecordedAnchorEvents {
                recorded_anchor_events: self.recorded_anchor_events,
            });
        }
        self.recorded_anchor_bytes = self.recorded_anchor_bytes.saturating_add(owned_bytes);
        if self.recorded_anchor_bytes > MAX_RECORDED_ANCHOR_BYTES {
            return Err(BudgetBreach::RecordedAnchorBytes {
                recorded_anchor_bytes: self.recorded_anchor_bytes,
            });
        }
        Ok(())
    }

    fn bump_nodes(&mut self) -> Result<(), BudgetBreach> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(BudgetBreach::Nodes { nodes: self.nodes });
        }
        Ok(())
    }

    fn bump_scalar_bytes(&mut self, bytes: usize) -> Result<(), BudgetBreach> {
        self.scalar_bytes = self.scalar_bytes.saturating_add(bytes);
        if self.scalar_bytes > MAX_SCALAR_BYTES {
            return Err(BudgetBreach::ScalarBytes {
                total_scalar_bytes: self.scalar_bytes,
            });
        }
        Ok(())
    }

    fn record_anchor(&mut self, anchor: usize) -> Result<(), BudgetBreach> {
        if anchor != 0 && self.anchors.insert(anchor) && self.anchors.len() > MAX_ANCHORS {
            return Err(BudgetBreach::Anchors {
                anchors: self.anchors.len(),
            });
        }
        Ok(())
    }

    /// The check made once the whole stream is read: many aliases of few anchors.
    pub(super) fn finish(&self) -> Result<(), BudgetBreach> {
        let anchors = self.anchors.len();
        if self.aliases >= ALIAS_RATIO_MIN_ALIASES
            && (anchors == 0 || self.aliases > ALIAS_RATIO.saturating_mul(anchors))
        {
            return Err(BudgetBreach::AliasAnchorRatio {
                aliases: self.aliases,
                anchors,
            });
        }
        Ok(())
    }
}

pub(super) fn tag_len(tag: Option<&Tag>) -> usize {
    tag.map_or(0, |tag| {
        let (handle, suffix) = tag.parts();
        handle.len().saturating_add(suffix.len())
    })
}
