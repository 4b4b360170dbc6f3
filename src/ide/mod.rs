//! The IDE features the server and the fuzzers share: hovers and navigation (occurrences,
//! definition, references, rename, symbols, completion contexts). They read the models and
//! the analysis' findings and never touch the disk.

pub mod hover;
pub mod nav;
