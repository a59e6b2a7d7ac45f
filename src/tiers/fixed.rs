//! Exact decimals for threshold comparisons.
//!
//! A threshold such as 新灯塔 ≥ 4.60 must reject 4.59 and accept 4.60 on
//! every platform, so nothing is compared as `f64`. Every value is held as
//! an integer count of ten-thousandths ([`Fixed`]):
//!
//! * CSV cells are parsed digit by digit from their decimal text (at most
//!   four decimal places; more is an input error, never silently rounded);
//! * policy numbers arrive from TOML as `f64` and are rounded to the nearest
//!   ten-thousandth (4.6 → 46000); a number that needs more than four
//!   decimal places is a policy error;
//! * derived scores computed by other stages (`f64`) are rounded half away
//!   from zero to four decimal places before any comparison.

use serde::{Serialize, Serializer};
use std::fmt;

/// Ten-thousandths per unit.
const SCALE: i64 = 10_000;

/// A decimal with exactly four fractional digits, stored as an integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Fixed(i64);

impl Fixed {
    /// Zero.
    pub const ZERO: Fixed = Fixed(0);

    /// A whole number.
    pub fn from_int(value: i64) -> Fixed {
        Fixed(value.saturating_mul(SCALE))
    }

    /// The raw count of ten-thousandths.
    pub fn raw(self) -> i64 {
        self.0
    }

    /// From a raw count of ten-thousandths.
    pub fn from_raw(raw: i64) -> Fixed {
        Fixed(raw)
    }

    /// Round a computed `f64` half away from zero to four decimal places.
    /// Returns `None` for NaN and infinities, which no threshold can judge.
    pub fn from_f64_rounded(value: f64) -> Option<Fixed> {
        if !value.is_finite() || value.abs() > 9.0e14 {
            return None;
        }
        Some(Fixed((value * SCALE as f64).round() as i64))
    }

    /// A policy number: like [`Fixed::from_f64_rounded`] but refuses values
    /// that need more than four decimal places, so that the policy says
    /// exactly what is compared.
    pub fn from_f64_exact(value: f64) -> Result<Fixed, String> {
        let fixed = Fixed::from_f64_rounded(value)
            .ok_or_else(|| format!("{value} is not a finite number"))?;
        // A TOML literal such as 4.6 is not exactly representable; a tolerance
        // far below one ten-thousandth accepts it and still rejects 4.60001.
        if (value * SCALE as f64 - fixed.0 as f64).abs() > 1e-6 {
            return Err(format!("{value} has more than 4 decimal places"));
        }
        Ok(fixed)
    }

    /// Parse decimal text such as `4.6`, `-0.25`, `95.37`, `100`.
    /// Refuses exponents, separators, and more than four decimal places.
    pub fn parse(text: &str) -> Result<Fixed, String> {
        let trimmed = text.trim();
        let (negative, digits) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
        };
        let (whole, frac) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        let is_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && frac.is_empty())
            || !is_digits(whole)
            || !is_digits(frac)
            || (digits.contains('.') && frac.is_empty())
        {
            return Err(format!("`{trimmed}` is not a decimal number"));
        }
        if frac.len() > 4 {
            return Err(format!(
                "`{trimmed}` has more than 4 decimal places (values are compared exactly)"
            ));
        }
        if whole.len() > 12 {
            return Err(format!("`{trimmed}` is too large"));
        }
        let whole_value: i64 = if whole.is_empty() {
            0
        } else {
            whole
                .parse()
                .map_err(|_| format!("`{trimmed}` is not a decimal number"))?
        };
        let mut frac_value: i64 = 0;
        for position in 0..4 {
            let digit = frac
                .as_bytes()
                .get(position)
                .map_or(0, |b| i64::from(b - b'0'));
            frac_value = frac_value * 10 + digit;
        }
        let raw = whole_value * SCALE + frac_value;
        Ok(Fixed(if negative { -raw } else { raw }))
    }
}

impl fmt::Display for Fixed {
    /// Shortest exact form: `4.6`, `4.59`, `100`, `-0.25`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let whole = abs / SCALE as u64;
        let frac = abs % SCALE as u64;
        if frac == 0 {
            return write!(f, "{sign}{whole}");
        }
        let frac_text = format!("{frac:04}");
        write!(f, "{sign}{whole}.{}", frac_text.trim_end_matches('0'))
    }
}

impl Serialize for Fixed {
    /// Serialized as its exact decimal text, so JSON never shows 4.6000000001.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimal_text_exactly() {
        let table = [
            ("4.6", 46_000),
            ("4.60", 46_000),
            ("4.59", 45_900),
            ("95", 950_000),
            ("95.5", 955_000),
            ("0.9999", 9_999),
            (".5", 5_000),
            ("-0.25", -2_500),
            (" 3.6 ", 36_000),
        ];
        for (text, raw) in table {
            assert_eq!(Fixed::parse(text), Ok(Fixed(raw)), "{text}");
        }
    }

    #[test]
    fn refuses_what_it_cannot_compare_exactly() {
        for text in [
            "",
            "4.",
            "4.599999",
            "1e3",
            "4,6",
            "四点六",
            "--1",
            "1.2.3",
            "%",
        ] {
            assert!(Fixed::parse(text).is_err(), "{text} should be refused");
        }
        assert!(Fixed::parse("4.59999")
            .unwrap_err()
            .contains("4 decimal places"));
    }

    #[test]
    fn policy_floats_round_to_their_literal() {
        assert_eq!(Fixed::from_f64_exact(4.6), Ok(Fixed(46_000)));
        assert_eq!(Fixed::from_f64_exact(0.1 + 0.2), Ok(Fixed(3_000)));
        assert!(Fixed::from_f64_exact(4.60001).is_err());
        assert!(Fixed::from_f64_exact(f64::NAN).is_err());
        assert_eq!(Fixed::from_f64_rounded(0.87345), Some(Fixed(8_735)));
    }

    #[test]
    fn displays_shortest_exact_form() {
        assert_eq!(Fixed(46_000).to_string(), "4.6");
        assert_eq!(Fixed(45_900).to_string(), "4.59");
        assert_eq!(Fixed(1_000_000).to_string(), "100");
        assert_eq!(Fixed(-2_500).to_string(), "-0.25");
        assert_eq!(Fixed(1).to_string(), "0.0001");
    }
}
