//! What portside knows about the world outside the files, as data: the keys daemon.json
//! takes, and the servers that run in containers with the addresses and ports they listen on.
//! Each fact carries its source in a comment.

pub mod compose_keys;
pub mod daemon_keys;
pub mod images;
pub mod servers;
