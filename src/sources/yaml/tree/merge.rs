//! Merge keys (`<<`): the entries a merge value brings into a map, read from its
//! recorded events as serde-saphyr's `pending_entries_from_events` reads them.

use super::errors::{Fail, BAD_MERGE, RECURSIVE_ALIAS};
use super::events::{merged, node_end, Ev, Kind};
use super::keys::{is_merge_key, last_wins, node_fp, Entry};
use super::scalars::scalar_is_null;
use crate::span::Span;

/// The entries a `<<` value merges (a map, or a sequence of maps), read where it
/// is used: each map's reference is its own use (its alias, or itself).
pub(super) fn merge_value<'a>(
    events: Vec<Ev<'a>>,
    fail: &dyn Fn(&str, Span) -> Fail,
) -> Result<Vec<Entry<'a>>, Fail> {
    match &events[0].kind {
        Kind::MapStart { .. } => {
            let at = events[0].reference();
            merged_entries(merged(events, at), fail)
        }
        Kind::SeqStart { .. } => each_element_merged(&events, fail),
        Kind::RecursiveAlias { .. } => Err(fail(RECURSIVE_ALIAS, events[0].span)),
        _ => Err(fail(BAD_MERGE, events[0].span)),
    }
}

/// The entries of a merged node (serde-saphyr's `pending_entries_from_events`):
/// null merges nothing, a map its entries (the last of each key, then its own
/// merges), a sequence each element's in turn.
fn merged_entries<'a>(
    events: Vec<Ev<'a>>,
    fail: &dyn Fn(&str, Span) -> Fail,
) -> Result<Vec<Entry<'a>>, Fail> {
    match &events[0].kind {
        Kind::RecursiveAlias { .. } => Err(fail(RECURSIVE_ALIAS, events[0].span)),
        Kind::Scalar {
            value, style, tag, ..
        } => {
            if scalar_is_null(*tag, value, *style) {
                Ok(Vec::new())
            } else {
                Err(fail(BAD_MERGE, events[0].span))
            }
        }
        Kind::SeqStart { .. } => each_element_merged(&events, fail),
        Kind::MapStart { .. } => {
            let mut fields = Vec::new();
            let mut nested = Vec::new();
            let mut i = 1;
            while i < events.len() && !matches!(events[i].kind, Kind::MapEnd) {
                if matches!(events[i].kind, Kind::RecursiveAlias { .. }) {
                    return Err(fail(RECURSIVE_ALIAS, events[i].span));
                }
                let key_end = node_end(&events, i);
                let value_end = node_end(&events, key_end);
                if key_end - i == 1 && is_merge_key(&events[i]) {
                    let value = &events[key_end..value_end];
                    match &value[0].kind {
                        Kind::Scalar {
                            value: text,
                            style,
                            tag,
                            ..
                        } if scalar_is_null(*tag, text, *style) => {}
                        _ => nested.extend(merge_value(value.to_vec(), fail)?),
                    }
                } else {
                    let key = events[i..key_end].to_vec();
                    let fp = node_fp(&key, &mut 0);
                    fields.push(Entry {
                        key,
                        fp,
                        value: events[key_end..value_end].to_vec(),
                    });
                }
                i = value_end;
            }
            let mut entries = last_wins(fields);
            entries.extend(nested);
            Ok(entries)
        }
        Kind::SeqEnd | Kind::MapEnd => Err(fail(BAD_MERGE, events[0].span)),
    }
}

/// A sequence's elements merged in turn, each read where it is used.
fn each_element_merged<'a>(
    events: &[Ev<'a>],
    fail: &dyn Fn(&str, Span) -> Fail,
) -> Result<Vec<Entry<'a>>, Fail> {
    let mut out = Vec::new();
    let mut i = 1;
    while i < events.len() && !matches!(events[i].kind, Kind::SeqEnd) {
        let end = node_end(events, i);
        let element = events[i..end].to_vec();
        let at = element[0].reference();
        out.extend(merged_entries(merged(element, at), fail)?);
        i = end;
    }
    Ok(out)
}
