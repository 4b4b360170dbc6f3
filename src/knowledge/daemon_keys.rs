//! Every key dockerd accepts in daemon.json (Linux), as data: type, default, meaning and
//! whether it is about networking. Source: shared/reference/daemon-json.md §2 (moby
//! `daemon/config`, `dockerd.md`). Rules check keys and types against it; hovers show it.

/// The JSON shape dockerd expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Bool,
    Int,
    Str,
    StrList,
    /// An object kept as one value (`log-opts`, `runtimes`, ...): not flattened.
    Object,
    /// An object whose members dockerd checks as top-level keys (`proxies`).
    Flattened,
    /// `default-address-pools`: a list of `{base, size}`.
    PoolList,
}

impl Ty {
    pub fn describe(self) -> &'static str {
        match self {
            Ty::Bool => "a boolean (true or false, not a string)",
            Ty::Int => "an integer",
            Ty::Str => "a string",
            Ty::StrList => "a list of strings",
            Ty::Object | Ty::Flattened => "an object",
            Ty::PoolList => "a list of {\"base\": CIDR, \"size\": prefix length}",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub name: &'static str,
    pub ty: Ty,
    pub default: &'static str,
    pub networking: bool,
    pub doc: &'static str,
}

const fn k(
    name: &'static str,
    ty: Ty,
    default: &'static str,
    networking: bool,
    doc: &'static str,
) -> Key {
    Key {
        name,
        ty,
        default,
        networking,
        doc,
    }
}

use Ty::*;

pub const KEYS: &[Key] = &[
    k(
        "allow-direct-routing",
        Bool,
        "false",
        true,
        "Allow remote hosts with a route to reach published ports on container addresses directly (Engine 28.2+).",
    ),
    k(
        "authorization-plugins",
        StrList,
        "[]",
        false,
        "Authorization plugins to load.",
    ),
    k(
        "bip",
        Str,
        "\"\"",
        true,
        "The default bridge's gateway address with its prefix, e.g. 192.168.1.1/24 (not the network address).",
    ),
    k(
        "bip6",
        Str,
        "\"\"",
        true,
        "The default bridge's IPv6 address with its prefix (Engine 28.0+).",
    ),
    k(
        "bridge",
        Str,
        "\"\" (docker0)",
        true,
        "Attach the default network to an existing bridge; \"none\" disables it. Not with bip.",
    ),
    k(
        "bridge-accept-fwmark",
        Str,
        "\"\"",
        true,
        "Accept packets with this firewall mark (Engine 29.0+).",
    ),
    k(
        "builder",
        Object,
        "{}",
        false,
        "BuildKit settings (gc, history, entitlements).",
    ),
    k(
        "cdi-spec-dirs",
        StrList,
        "[/etc/cdi, /var/run/cdi]",
        false,
        "Directories with CDI specifications.",
    ),
    k(
        "cgroup-parent",
        Str,
        "\"\"",
        false,
        "Parent cgroup for all containers.",
    ),
    k(
        "containerd",
        Str,
        "\"\"",
        false,
        "Address of the containerd socket.",
    ),
    k(
        "containerd-namespace",
        Str,
        "moby",
        false,
        "containerd namespace for containers.",
    ),
    k(
        "containerd-plugins-namespace",
        Str,
        "plugins.moby",
        false,
        "containerd namespace for plugins.",
    ),
    k(
        "cpu-rt-period",
        Int,
        "0",
        false,
        "Real-time CPU period (cgroup v1).",
    ),
    k(
        "cpu-rt-runtime",
        Int,
        "0",
        false,
        "Real-time CPU runtime (cgroup v1).",
    ),
    k(
        "cri-containerd",
        Bool,
        "false",
        false,
        "Start containerd with the CRI plugin.",
    ),
    k(
        "data-root",
        Str,
        "/var/lib/docker",
        false,
        "Root of Docker's persistent state.",
    ),
    k("debug", Bool, "false", false, "Debug logging."),
    k(
        "default-address-pools",
        PoolList,
        "built-in 172.17-31.0.0/16 and 192.168.0.0/16 pools",
        true,
        "Pools for the subnets of new networks: replaces the built-in list.",
    ),
    k(
        "default-cgroupns-mode",
        Str,
        "private",
        false,
        "Default cgroup namespace mode: host or private.",
    ),
    k(
        "default-gateway",
        Str,
        "",
        true,
        "Default route of containers on the default bridge; must be inside its subnet.",
    ),
    k(
        "default-gateway-v6",
        Str,
        "",
        true,
        "IPv6 default route of containers on the default bridge.",
    ),
    k(
        "default-ipc-mode",
        Str,
        "private",
        false,
        "Default IPC mode: shareable or private.",
    ),
    k(
        "default-network-opts",
        Object,
        "{}",
        true,
        "Driver options for networks created afterwards, e.g. {\"bridge\": {\"com.docker.network.bridge.host_binding_ipv4\": \"127.0.0.1\"}}.",
    ),
    k(
        "default-runtime",
        Str,
        "runc",
        false,
        "Default OCI runtime.",
    ),
    k(
        "default-shm-size",
        Str,
        "64M",
        false,
        "Default /dev/shm size.",
    ),
    k(
        "default-stop-timeout",
        Int,
        "10",
        false,
        "Seconds to wait before killing a stopping container.",
    ),
    k(
        "default-ulimits",
        Object,
        "{}",
        false,
        "Default ulimits for containers.",
    ),
    k(
        "dns",
        StrList,
        "[]",
        true,
        "DNS servers for containers (IP addresses); the embedded DNS of user-defined networks forwards to them.",
    ),
    k(
        "dns-opts",
        StrList,
        "[]",
        true,
        "resolv.conf options for containers.",
    ),
    k(
        "dns-search",
        StrList,
        "[]",
        true,
        "DNS search domains for containers.",
    ),
    k(
        "exec-opts",
        StrList,
        "[]",
        false,
        "Runtime options, e.g. native.cgroupdriver=systemd.",
    ),
    k(
        "exec-root",
        Str,
        "/var/run/docker",
        false,
        "Root of the execution state.",
    ),
    k(
        "experimental",
        Bool,
        "false",
        false,
        "Experimental features.",
    ),
    k(
        "features",
        Object,
        "{}",
        false,
        "Feature flags, e.g. {\"containerd-snapshotter\": true}.",
    ),
    k(
        "firewall-backend",
        Str,
        "iptables",
        true,
        "iptables or nftables (Engine 29.0+).",
    ),
    k(
        "fixed-cidr",
        Str,
        "\"\"",
        true,
        "IPv4 range for container addresses on the default bridge, inside the bip subnet.",
    ),
    k(
        "fixed-cidr-v6",
        Str,
        "\"\"",
        true,
        "IPv6 subnet for the default bridge (with ipv6: true).",
    ),
    k("group", Str, "docker", false, "Group of the Unix socket."),
    k(
        "host-gateway-ip",
        Str,
        "",
        true,
        "Deprecated single form of host-gateway-ips.",
    ),
    k(
        "host-gateway-ips",
        StrList,
        "the default bridge's gateway addresses",
        true,
        "What host-gateway in extra_hosts resolves to: at most one IPv4 and one IPv6 address.",
    ),
    k(
        "hosts",
        StrList,
        "[unix:///var/run/docker.sock]",
        true,
        "Sockets the API listens on: unix://, tcp://, fd://.",
    ),
    k(
        "http-proxy",
        Str,
        "\"\"",
        true,
        "HTTP proxy for the daemon (pulls).",
    ),
    k(
        "https-proxy",
        Str,
        "\"\"",
        true,
        "HTTPS proxy for the daemon (pulls).",
    ),
    k(
        "icc",
        Bool,
        "true",
        true,
        "Inter-container traffic on the default bridge (only there).",
    ),
    k(
        "init",
        Bool,
        "false",
        false,
        "Run an init process in containers.",
    ),
    k("init-path", Str, "\"\"", false, "Path of the init binary."),
    k(
        "insecure-registries",
        StrList,
        "[]",
        false,
        "Registries reached without TLS verification.",
    ),
    k(
        "ip",
        Str,
        "0.0.0.0",
        true,
        "Default host address of ports published from the default bridge only; Compose networks do not use it.",
    ),
    k(
        "ip-forward",
        Bool,
        "true",
        true,
        "Enable IP forwarding, which container networking needs.",
    ),
    k(
        "ip-forward-no-drop",
        Bool,
        "false",
        true,
        "Do not set the FORWARD policy to DROP (Engine 28.0+).",
    ),
    k(
        "ip-masq",
        Bool,
        "true",
        true,
        "Masquerade outgoing traffic of the default bridge.",
    ),
    k(
        "ip6tables",
        Bool,
        "true",
        true,
        "Add ip6tables rules (default true since Engine 27).",
    ),
    k(
        "iptables",
        Bool,
        "true",
        true,
        "Add iptables rules: port mapping, masquerade, isolation.",
    ),
    k("ipv6", Bool, "false", true, "IPv6 on the default bridge."),
    k(
        "labels",
        StrList,
        "[]",
        false,
        "Labels of the daemon (key=value).",
    ),
    k(
        "live-restore",
        Bool,
        "false",
        false,
        "Keep containers running while the daemon is down.",
    ),
    k(
        "log-driver",
        Str,
        "json-file",
        false,
        "Default logging driver.",
    ),
    k(
        "log-format",
        Str,
        "text",
        false,
        "Format of the daemon's own logs: text or json.",
    ),
    k("log-level", Str, "info", false, "Daemon log level."),
    k(
        "log-opts",
        Object,
        "{}",
        false,
        "Options of the default logging driver (string values).",
    ),
    k(
        "max-concurrent-downloads",
        Int,
        "3",
        false,
        "Parallel layer downloads.",
    ),
    k(
        "max-concurrent-uploads",
        Int,
        "5",
        false,
        "Parallel layer uploads.",
    ),
    k(
        "max-download-attempts",
        Int,
        "5",
        false,
        "Download retries per layer.",
    ),
    k(
        "metrics-addr",
        Str,
        "\"\"",
        true,
        "host:port of the Prometheus metrics endpoint.",
    ),
    k(
        "min-api-version",
        Str,
        "1.40",
        false,
        "Oldest API version accepted.",
    ),
    k(
        "mtu",
        Int,
        "1500",
        true,
        "MTU of the default bridge only; user-defined networks use com.docker.network.driver.mtu.",
    ),
    k(
        "network-control-plane-mtu",
        Int,
        "1500",
        true,
        "MTU of the swarm control plane.",
    ),
    k(
        "network-diagnostic-port",
        Int,
        "0",
        true,
        "Port of the network diagnostic server (0 = off).",
    ),
    k(
        "no-new-privileges",
        Bool,
        "false",
        false,
        "Set no-new-privileges on containers.",
    ),
    k(
        "no-proxy",
        Str,
        "\"\"",
        true,
        "Hosts the daemon reaches without a proxy.",
    ),
    k(
        "node-generic-resources",
        StrList,
        "[]",
        false,
        "Generic resources of this swarm node.",
    ),
    k("nri-opts", Object, "{}", false, "NRI options."),
    k(
        "pidfile",
        Str,
        "/var/run/docker.pid",
        false,
        "Daemon PID file.",
    ),
    k(
        "proxies",
        Flattened,
        "{}",
        true,
        "http-proxy, https-proxy and no-proxy, grouped.",
    ),
    k(
        "raw-logs",
        Bool,
        "false",
        false,
        "Logs without colours and timestamps formatting.",
    ),
    k(
        "registry-mirrors",
        StrList,
        "[]",
        false,
        "Registry mirrors (URLs).",
    ),
    k("rootless", Bool, "auto", false, "Run in rootless mode."),
    k("runtimes", Object, "{}", false, "Additional OCI runtimes."),
    k(
        "seccomp-profile",
        Str,
        "builtin",
        false,
        "Default seccomp profile.",
    ),
    k("selinux-enabled", Bool, "false", false, "SELinux support."),
    k(
        "shutdown-timeout",
        Int,
        "15",
        false,
        "Seconds to wait for containers at shutdown.",
    ),
    k("storage-driver", Str, "auto", false, "Storage driver."),
    k(
        "storage-opts",
        StrList,
        "[]",
        false,
        "Storage driver options.",
    ),
    k(
        "swarm-default-advertise-addr",
        Str,
        "\"\"",
        true,
        "Default advertise address for swarm.",
    ),
    k(
        "tls",
        Bool,
        "false",
        true,
        "TLS on the API socket (implied by tlsverify).",
    ),
    k(
        "tlscacert",
        Str,
        "~/.docker/ca.pem",
        true,
        "CA that client certificates must be signed by.",
    ),
    k(
        "tlscert",
        Str,
        "~/.docker/cert.pem",
        true,
        "The daemon's TLS certificate.",
    ),
    k(
        "tlskey",
        Str,
        "~/.docker/key.pem",
        true,
        "The daemon's TLS key.",
    ),
    k(
        "tlsverify",
        Bool,
        "false",
        true,
        "Require client certificates on the API socket.",
    ),
    k(
        "userland-proxy",
        Bool,
        "true",
        true,
        "docker-proxy for loopback, hairpin and host-IPv6 → container-IPv4 traffic.",
    ),
    k(
        "userland-proxy-path",
        Str,
        "docker-proxy in the libexec directories or PATH",
        true,
        "Absolute path of docker-proxy.",
    ),
    k(
        "userns-remap",
        Str,
        "\"\"",
        false,
        "User namespace remapping.",
    ),
];

/// Members of these objects stay inside them; other objects are flattened into the top
/// level when dockerd checks keys (`configValuesSet`).
pub const FLAT_OPTIONS: &[&str] = &[
    "cluster-store-opts",
    "default-network-opts",
    "log-opts",
    "runtimes",
    "default-ulimits",
    "features",
    "builder",
    "nri-opts",
];

pub fn find(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        for w in KEYS.windows(2) {
            assert!(w[0].name < w[1].name, "{} then {}", w[0].name, w[1].name);
        }
        assert_eq!(find("bip").unwrap().ty, Ty::Str);
        assert!(find("tls-verify").is_none());
    }
}
