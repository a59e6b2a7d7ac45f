//! rules (under construction).
