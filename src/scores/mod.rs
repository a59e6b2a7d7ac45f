//! scores (under construction).
