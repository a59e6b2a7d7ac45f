//! Abuse evidence: insults, threats, harassment, fraud, leaks, commitments.
//!
//! [`model`] holds the text-level offensiveness score (a linear model over
//! hashed character n-grams, trained on COLD); the keyword detectors that
//! turn messages into findings live beside it.

pub mod model;

pub use model::{evaluate, read_cold_csv, train, AbuseModel, Metrics, TrainOptions};
