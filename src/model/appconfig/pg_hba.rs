//! pg_hba.conf (PostgreSQL's "The pg_hba.conf File"): one rule per line, `type database
//! user [address] method [options]`; `local` rules are Unix-socket connections, `host`,
//! `hostssl`, `hostnossl`, `hostgssenc` and `hostnogssenc` TCP connections from `address`
//! (a CIDR, an address and a mask, a host name, `all`, `samehost`: the server's own
//! addresses, `samenet`: any subnet the server is connected to). A connection no rule
//! matches is refused ("no pg_hba.conf entry for host"). `include`, `include_if_exists`
//! and `include_dir` may add rules: the file is then `open`.
//!
//! The verdict kept: every TCP rule admits only the container's own addresses (loopback,
//! `localhost`, `samehost`), so clients in other containers, which come from their own
//! addresses on the network, match none.

use super::{AppConfig, lines, words};

pub(super) fn read(text: &str) -> AppConfig {
    let mut out = AppConfig::default();
    let mut first: Option<std::ops::Range<usize>> = None;
    let mut others_admitted = false;
    for (start, line) in lines(text, &['#']) {
        let w = words(line, start);
        let Some(&(at, kind)) = w.first() else {
            continue;
        };
        let kind = kind.to_ascii_lowercase();
        match kind.as_str() {
            "include" | "include_if_exists" | "include_dir" => out.open = true,
            "local" => {
                first.get_or_insert(at..at + line.trim_end().len() - (at - start));
            }
            "host" | "hostssl" | "hostnossl" | "hostgssenc" | "hostnogssenc" => {
                first.get_or_insert(at..at + line.trim_end().len() - (at - start));
                let Some(&(_, address)) = w.get(3) else {
                    continue;
                };
                let a = address.trim_matches('"').to_ascii_lowercase();
                let own = a == "localhost"
                    || a == "samehost"
                    || a.starts_with("127.")
                    || a.starts_with("::1/")
                    || a == "::1";
                others_admitted |= !own;
            }
            _ => {}
        }
    }
    if !others_admitted && !out.open {
        out.local_clients_only = first;
    }
    out
}
