#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where eventd listens and keeps its data when neither a config file nor a flag says so.
/// eventd and eventctl both call this, so they meet without any configuration.
public enum DefaultPaths {
    public static let version = "0.1.0"

    /// `$EVENTD_SOCKET`, else `$XDG_RUNTIME_DIR/eventd/eventd.sock`, else `/run/eventd/eventd.sock`
    /// for root and `/tmp/eventd-UID/eventd.sock` for anyone else.
    public static func socket() -> String {
        if let explicit = environment("EVENTD_SOCKET") { return explicit }
        if let runtime = environment("XDG_RUNTIME_DIR") { return runtime + "/eventd/eventd.sock" }
        return getuid() == 0 ? "/run/eventd/eventd.sock" : "/tmp/eventd-\(getuid())/eventd.sock"
    }

    /// `$XDG_DATA_HOME/eventd`, else `~/.local/share/eventd`.
    public static func dataDirectory() -> String {
        if let data = environment("XDG_DATA_HOME") { return data + "/eventd" }
        return (environment("HOME") ?? "/var/lib") + "/.local/share/eventd"
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }
}
