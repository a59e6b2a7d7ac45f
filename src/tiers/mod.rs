//! tiers (under construction).
