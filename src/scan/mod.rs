//! scan (under construction).
