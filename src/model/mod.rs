//! What the files mean: the Compose project, the Dockerfile and daemon.json models built
//! from the spanned syntax trees, and the port-spec grammar they share. Pure: text and trees
//! in, values with source ranges out.

pub mod appconfig;
pub mod compose;
pub mod daemon;
pub mod dockerfile;
pub mod ports;
