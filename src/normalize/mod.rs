//! normalize (under construction).
