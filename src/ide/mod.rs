//! The IDE features the server and the fuzzers share: hovers, navigation (occurrences,
//! definition, references, rename, symbols) and completion contexts. They read the models and
//! the analysis' findings and never touch the disk.

pub mod completion;
pub mod hover;
pub mod keys;
pub mod map;
pub mod nav;
