//! The `/proc/net/tcp` and `tcp6` tables a container's listening sockets are read from.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Sockets listening inside a container, decoded from `/proc/net/tcp` and `tcp6` (state
/// `0A`; addresses are little-endian per 32-bit word).
pub fn listening(proc_net: &str) -> Vec<(IpAddr, u16)> {
    let mut out = Vec::new();
    for line in proc_net.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() < 4 || fields[3] != "0A" {
            continue;
        }
        let Some((addr, port)) = fields[1].split_once(':') else {
            continue;
        };
        let Ok(port) = u16::from_str_radix(port, 16) else {
            continue;
        };
        let ip = match addr.len() {
            8 => match u32::from_str_radix(addr, 16) {
                Ok(v) => IpAddr::V4(Ipv4Addr::from(v.swap_bytes())),
                Err(_) => continue,
            },
            32 => {
                let mut bytes = [0u8; 16];
                let mut ok = true;
                for w in 0..4 {
                    match u32::from_str_radix(&addr[w * 8..w * 8 + 8], 16) {
                        Ok(v) => bytes[w * 4..w * 4 + 4].copy_from_slice(&v.to_le_bytes()),
                        Err(_) => ok = false,
                    }
                }
                if !ok {
                    continue;
                }
                IpAddr::V6(Ipv6Addr::from(bytes))
            }
            _ => continue,
        };
        // Docker's embedded DNS listens on 127.0.0.11 in user-defined networks.
        if ip == IpAddr::V4(Ipv4Addr::new(127, 0, 0, 11)) {
            continue;
        }
        out.push((ip, port));
    }
    out
}

pub fn is_loopback(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_proc_net_tcp() {
        let v4 = "  sl  local_address rem_address   st\n   0: 0100007F:0050 00000000:0000 0A 0\n   1: 00000000:1F90 00000000:0000 0A 0\n   2: 0B00007F:A1B2 00000000:0000 0A 0\n   3: 0100007F:0051 0100007F:1234 01 0\n";
        assert_eq!(
            listening(v4),
            [
                ("127.0.0.1".parse().unwrap(), 80),
                ("0.0.0.0".parse().unwrap(), 8080)
            ]
        );
        let v6 = "  sl  local_address\n   0: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 0\n   1: 00000000000000000000000000000000:0051 00000000000000000000000000000000:0000 0A 0\n";
        let got = listening(v6);
        assert_eq!(got[0], ("::1".parse().unwrap(), 80));
        assert_eq!(got[1], ("::".parse().unwrap(), 81));
        assert!(is_loopback(&got[0].0));
        assert!(!is_loopback(&got[1].0));
    }
}
