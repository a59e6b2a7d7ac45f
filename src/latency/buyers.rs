//! Distinct-buyer counts (咨询人数, 接待人数, 未回复人数) in bounded memory.
//!
//! A set holds buyers as 64-bit hashes of (shop, buyer). It is exact up to
//! [`EXACT_LIMIT`] (8,192) buyers — every agent-day card and the shop-day
//! cards of most shops — and then turns into a HyperLogLog sketch of
//! 2^[`PRECISION`] one-byte registers (16 KiB, standard error 1.04/√16384
//! ≈ 0.8 %), so a card never grows past a fixed size however large the dump:
//! exact sets of every buyer of a month cost memory in proportion to the
//! dump (about 600 bytes per buyer over the six cards a buyer lands in),
//! which the scan must not.
//! Merging is exact for exact sets and register-wise max for sketches, so
//! any partition of the sessions merges to the same result. Outputs say
//! whether a count is exact ([`BuyerSet::is_exact`]).

use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Buyers counted exactly before a set turns into a sketch.
pub const EXACT_LIMIT: usize = 1 << 13;

/// Sketch precision: 2^PRECISION registers.
pub const PRECISION: u32 = 14;

const REGISTERS: usize = 1 << PRECISION;

/// The keys are already xxh3 hashes: hashing them again is wasted work.
type Keys = HashSet<u64, crate::model::DigestBuild>;

/// A set of buyer hashes: exact while small, a sketch when large.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuyerSet(Repr);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Repr {
    /// Every buyer hash.
    Exact(Keys),
    /// HyperLogLog registers.
    Sketch(Box<[u8]>),
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Exact(Keys::default())
    }
}

impl BuyerSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add one buyer hash.
    pub fn insert(&mut self, key: u64) {
        match &mut self.0 {
            Repr::Exact(keys) => {
                keys.insert(key);
                if keys.len() > EXACT_LIMIT {
                    self.0 = Repr::Sketch(sketch_of(keys.iter().copied()));
                }
            }
            Repr::Sketch(registers) => observe(registers, key),
        }
    }

    /// Add every buyer of `other`.
    pub fn merge(&mut self, other: &BuyerSet) {
        match &other.0 {
            Repr::Exact(keys) => {
                for &k in keys {
                    self.insert(k);
                }
            }
            Repr::Sketch(theirs) => {
                if let Repr::Exact(keys) = &self.0 {
                    self.0 = Repr::Sketch(sketch_of(keys.iter().copied()));
                }
                if let Repr::Sketch(mine) = &mut self.0 {
                    for (m, t) in mine.iter_mut().zip(theirs.iter()) {
                        *m = (*m).max(*t);
                    }
                }
            }
        }
    }

    /// Whether [`BuyerSet::len`] is an exact count.
    pub fn is_exact(&self) -> bool {
        matches!(self.0, Repr::Exact(_))
    }

    /// Distinct buyers: exact, or the sketch's estimate.
    pub fn len(&self) -> u64 {
        match &self.0 {
            Repr::Exact(keys) => keys.len() as u64,
            Repr::Sketch(registers) => estimate(registers),
        }
    }

    /// Whether no buyer was added.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn sketch_of(keys: impl Iterator<Item = u64>) -> Box<[u8]> {
    let mut registers = vec![0u8; REGISTERS].into_boxed_slice();
    for k in keys {
        observe(&mut registers, k);
    }
    registers
}

fn observe(registers: &mut [u8], key: u64) {
    let index = (key >> (64 - PRECISION)) as usize;
    // The rank of the remaining bits: position of the first 1, counting
    // from 1; a guard bit caps it when they are all zero.
    let rest = (key << PRECISION) | (1 << (PRECISION - 1));
    let rank = rest.leading_zeros() as u8 + 1;
    if let Some(r) = registers.get_mut(index) {
        *r = (*r).max(rank);
    }
}

/// The HyperLogLog estimate (Flajolet et al. 2007) with linear counting
/// for small cardinalities; 64-bit hashes need no large-range correction.
fn estimate(registers: &[u8]) -> u64 {
    let m = registers.len() as f64;
    let alpha = 0.7213 / (1.0 + 1.079 / m);
    let sum: f64 = registers.iter().map(|&r| (-f64::from(r)).exp2()).sum();
    let raw = alpha * m * m / sum;
    let zeros = registers.iter().filter(|&&r| r == 0).count();
    let value = if raw <= 2.5 * m && zeros > 0 {
        m * (m / zeros as f64).ln()
    } else {
        raw
    };
    value.round() as u64
}

/// How a set is written in `scores.json`: exact sets as a sorted array of
/// hashes (so the file is deterministic), sketches as hex registers.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Stored {
    Exact(Vec<u64>),
    Sketch { hll14: String },
}

impl Serialize for BuyerSet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let stored = match &self.0 {
            Repr::Exact(keys) => {
                let mut v: Vec<u64> = keys.iter().copied().collect();
                v.sort_unstable();
                Stored::Exact(v)
            }
            Repr::Sketch(registers) => Stored::Sketch {
                hll14: hex::encode(registers),
            },
        };
        stored.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for BuyerSet {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Stored::deserialize(deserializer)? {
            Stored::Exact(v) => {
                let mut set = BuyerSet::new();
                for k in v {
                    set.insert(k);
                }
                Ok(set)
            }
            Stored::Sketch { hll14 } => {
                let registers = hex::decode(&hll14).map_err(serde::de::Error::custom)?;
                if registers.len() != REGISTERS {
                    return Err(serde::de::Error::custom(format!(
                        "buyer sketch has {} registers, expected {REGISTERS}",
                        registers.len()
                    )));
                }
                Ok(BuyerSet(Repr::Sketch(registers.into_boxed_slice())))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: u64) -> u64 {
        xxhash_rust::xxh3::xxh3_64(format!("花花旗舰店\u{1f}tb_buyer{i}").as_bytes())
    }

    #[test]
    fn exact_up_to_the_limit_then_within_two_percent() {
        let mut set = BuyerSet::new();
        for i in 0..EXACT_LIMIT as u64 {
            set.insert(key(i));
            set.insert(key(i)); // a buyer counts once
        }
        assert!(set.is_exact());
        assert_eq!(set.len(), EXACT_LIMIT as u64);
        for i in EXACT_LIMIT as u64..300_000 {
            set.insert(key(i));
        }
        assert!(!set.is_exact());
        let error = (set.len() as f64 - 300_000.0).abs() / 300_000.0;
        assert!(error < 0.02, "estimate {} off by {error}", set.len());
    }

    #[test]
    fn merging_parts_equals_the_whole_and_survives_json() {
        let (mut a, mut b, mut whole) = (BuyerSet::new(), BuyerSet::new(), BuyerSet::new());
        for i in 0..100_000u64 {
            // Overlapping halves: 0..60k and 40k..100k.
            if i < 60_000 {
                a.insert(key(i));
            }
            if i >= 40_000 {
                b.insert(key(i));
            }
            whole.insert(key(i));
        }
        let mut merged = a.clone();
        merged.merge(&b);
        assert!(!merged.is_exact());
        assert_eq!(merged, whole, "register-wise max is order-free");
        let json = serde_json::to_string(&merged).unwrap();
        assert!(json.starts_with("{\"hll14\":\""));
        let back: BuyerSet = serde_json::from_str(&json).unwrap();
        assert_eq!(back.len(), whole.len());
        // Small exact sets stay exact arrays, sorted.
        let mut small = BuyerSet::new();
        small.insert(9);
        small.insert(3);
        assert_eq!(serde_json::to_string(&small).unwrap(), "[3,9]");
        let back: BuyerSet = serde_json::from_str("[3,9]").unwrap();
        assert_eq!(back.len(), 2);
        assert!(serde_json::from_str::<BuyerSet>("{\"hll14\":\"00\"}").is_err());
    }
}
