//! lexicon (under construction).
