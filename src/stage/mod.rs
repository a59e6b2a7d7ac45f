//! stage (under construction).
