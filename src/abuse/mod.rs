//! abuse (under construction).
