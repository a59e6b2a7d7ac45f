//! synth (under construction).
