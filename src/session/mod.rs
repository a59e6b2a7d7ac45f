//! session (under construction).
