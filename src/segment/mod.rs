//! segment (under construction).
