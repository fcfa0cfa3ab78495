//! Scalars (serde-saphyr's `deserialize_any` with strict booleans): YAML 1.2
//! null, boolean, integer and float resolution, `!!binary` base64, and the
//! refusal of a scalar its tag does not fit.

use super::tags::SfTag;
use super::Value;
use granit_parser::ScalarStyle;
use std::borrow::Cow;

pub(super) fn yaml_trim(s: &str) -> &str {
    s.trim_matches([' ', '\t', '\r', '\n'])
}

fn parse_yaml12_bool(s: &str) -> Option<bool> {
    match yaml_trim(s) {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

fn scalar_is_nullish(value: &str, style: ScalarStyle) -> bool {
    matches!(style, ScalarStyle::Plain) && matches!(value, "" | "~" | "null" | "Null" | "NULL")
}

pub(super) fn scalar_is_null(tag: SfTag, value: &str, style: ScalarStyle) -> bool {
    tag == SfTag::Null
        || (!tag.is_core()
            && !tag.forces_string()
            && !matches!(tag, SfTag::Binary | SfTag::TimeStamp)
            && !tag.is_robotics()
            && scalar_is_nullish(value, style))
}

/// Digits in `radix`, single underscores allowed between them.
fn parse_digits(digits: &str, radix: u32) -> Option<u128> {
    let mut val: u128 = 0;
    let mut saw = false;
    let bytes = digits.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let d = match b {
            b'_' => {
                let prev_ok = i > 0 && bytes[i - 1] != b'_';
                let next_ok = i + 1 < bytes.len() && bytes[i + 1] != b'_';
                if !prev_ok || !next_ok {
                    return None;
                }
                continue;
            }
            b'0'..=b'9' => u32::from(b - b'0'),
            b'a'..=b'f' if radix > 10 => 10 + u32::from(b - b'a'),
            b'A'..=b'F' if radix > 10 => 10 + u32::from(b - b'A'),
            _ => return None,
        };
        if d >= radix {
            return None;
        }
        val = val.checked_mul(u128::from(radix))?;
        val = val.checked_add(u128::from(d))?;
        saw = true;
    }
    saw.then_some(val)
}

fn radix_and_digits(rest: &str) -> (u32, &str) {
    if let Some(r) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
        (16, r)
    } else if let Some(r) = rest.strip_prefix("0o").or_else(|| rest.strip_prefix("0O")) {
        (8, r)
    } else if let Some(r) = rest.strip_prefix("0b").or_else(|| rest.strip_prefix("0B")) {
        (2, r)
    } else {
        (10, rest)
    }
}

/// A YAML integer as sign and magnitude (`None`: not an integer, or out of the
/// i128 range when negative / u128 range when not).
pub(super) fn parse_int(s: &str, signed: bool) -> Option<(bool, u128)> {
    let t = yaml_trim(s);
    let (neg, rest) = match t.strip_prefix('+') {
        Some(r) => (false, r),
        None => match t.strip_prefix('-') {
            Some(_) if !signed => return None,
            Some(r) => (true, r),
            None => (false, t),
        },
    };
    let (radix, digits) = radix_and_digits(rest);
    if radix == 10 && digits.starts_with('0') && digits != "0" {
        return None;
    }
    let mag = parse_digits(digits, radix)?;
    if signed {
        let limit = if neg {
            (i128::MAX as u128) + 1
        } else {
            i128::MAX as u128
        };
        if mag > limit {
            return None;
        }
    }
    Some((neg && mag != 0, mag))
}

fn fits_i64(neg: bool, mag: u128) -> bool {
    if neg {
        mag <= (i64::MAX as u128) + 1
    } else {
        mag <= i64::MAX as u128
    }
}

fn is_signed_nan(t: &str) -> bool {
    t.strip_prefix(['+', '-'])
        .is_some_and(|unsigned| matches!(unsigned, ".nan" | ".NaN" | ".NAN"))
}

fn leading_zero_decimal(t: &str) -> bool {
    let s = yaml_trim(t);
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

/// YAML 1.2 floats, non-finite spellings and f64 overflow (`1e999`) included.
fn parse_float(s: &str, tag: SfTag) -> Option<f64> {
    let t = yaml_trim(s);
    if tag == SfTag::Float && is_signed_nan(t) {
        return Some(f64::NAN);
    }
    let (negative, unsigned) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    match unsigned {
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        ".inf" | ".Inf" | ".INF" if negative => return Some(f64::NEG_INFINITY),
        ".inf" | ".Inf" | ".INF" => return Some(f64::INFINITY),
        _ => {}
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => return Some(v),
        _ => {}
    }
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if !unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_infinite() => Some(v),
        _ => None,
    }
}

fn number_or_non_finite(v: f64, raw: &str) -> Result<Value<'static>, String> {
    if v.is_finite() {
        Ok(Value::Number)
    } else {
        Err(format!(
            "non-finite float `{raw}` rejected by the configured policy"
        ))
    }
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    fn val(b: u8) -> Option<u32> {
        Some(u32::from(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    }
    let cleaned: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !cleaned.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(cleaned.len() / 4 * 3);
    let total = cleaned.len() / 4;
    for (idx, chunk) in cleaned.chunks_exact(4).enumerate() {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 0 && idx + 1 != total {
            return None;
        }
        let a = val(chunk[0])?;
        let b = val(chunk[1])?;
        let c = match chunk[2] {
            b'=' if pad < 2 => return None,
            b'=' => 0,
            byte => val(byte)?,
        };
        let d = match chunk[3] {
            b'=' if pad == 0 => return None,
            b'=' => 0,
            byte => val(byte)?,
        };
        if (pad == 2 && (b & 0x0F) != 0) || (pad == 1 && (c & 0x03) != 0) || pad > 2 {
            return None;
        }
        let triple = (a << 18) | (b << 12) | (c << 6) | d;
        out.push(((triple >> 16) & 0xFF) as u8);
        if pad < 2 {
            out.push(((triple >> 8) & 0xFF) as u8);
        }
        if pad == 0 {
            out.push((triple & 0xFF) as u8);
        }
    }
    Some(out)
}

/// A scalar's value as serde-saphyr's `deserialize_any` gives it to an untyped
/// visitor; the error is its message (the location is the scalar's).
pub(super) fn resolve<'a>(
    value: Cow<'a, str>,
    style: ScalarStyle,
    tag: SfTag,
) -> Result<Value<'a>, String> {
    match tag {
        SfTag::Null => return Ok(Value::Null),
        SfTag::Bool => {
            return parse_yaml12_bool(&value)
                .map(Value::Bool)
                .ok_or_else(|| "invalid boolean (strict mode expects true/false)".to_string());
        }
        SfTag::Int => {
            let signed = yaml_trim(&value).starts_with('-');
            let ty = if signed { "i64" } else { "u64" };
            return match parse_int(&value, signed) {
                Some((neg, mag)) if !signed || fits_i64(neg, mag) => {
                    if signed || u64::try_from(mag).is_ok() {
                        Ok(Value::Number)
                    } else {
                        Err(format!("invalid {ty}"))
                    }
                }
                _ => Err(format!("invalid {ty}")),
            };
        }
        SfTag::Float | SfTag::Time | SfTag::Degrees | SfTag::Radians => {
            if tag != SfTag::Float {
                return Err("invalid floating point".to_string());
            }
            let v = parse_float(&value, tag).ok_or_else(|| "invalid floating point".to_string())?;
            return number_or_non_finite(v, &value);
        }
        _ => {}
    }
    if scalar_is_null(tag, &value, style) {
        return Ok(Value::Null);
    }
    let plain = matches!(style, ScalarStyle::Plain);
    if !plain || !tag.can_parse_into_string() || tag == SfTag::Binary || tag.forces_string() {
        if tag == SfTag::Binary {
            let data =
                decode_base64(&value).ok_or_else(|| "invalid !!binary base64".to_string())?;
            return String::from_utf8(data).map(|text| Value::String(Cow::Owned(text))).map_err(|_| {
                "!!binary scalar is not valid UTF-8 so cannot be stored into string. \
                 If you just use !!binary for documentation/annotation, set ignore_binary_tag_for_string in Options"
                    .to_string()
            });
        }
        if !tag.can_parse_into_string() {
            return Err("cannot deserialize tagged scalar into string".to_string());
        }
        return Ok(Value::String(value));
    }
    if let Some(b) = parse_yaml12_bool(&value) {
        return Ok(Value::Bool(b));
    }
    let t = yaml_trim(&value);
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if matches!(unsigned.as_bytes(), [b'0', b'X' | b'O' | b'B', ..]) || is_signed_nan(t) {
        return Ok(Value::String(value));
    }
    if t.starts_with('-') {
        if !leading_zero_decimal(t) {
            if let Some((neg, mag)) = parse_int(t, true) {
                if fits_i64(neg, mag) {
                    return Ok(Value::Number);
                }
            }
        }
    } else if let Some((_, mag)) = parse_int(t, false) {
        if u64::try_from(mag).is_ok() {
            return Ok(Value::Number);
        }
    }
    if let Some(v) = parse_float(&value, tag) {
        return number_or_non_finite(v, &value);
    }
    Ok(Value::String(value))
}
