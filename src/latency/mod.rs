//! latency (under construction).
