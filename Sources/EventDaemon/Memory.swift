/// How eventd's size follows its live data. glibc gives each thread that allocates its own arena
/// (up to eight per core) and keeps what large jobs freed (an import's parsed file, a pass over
/// every feed) in them, so eventd would otherwise stay at its largest size for good.
enum Memory {
    /// Two arenas: eventd's threads mostly wait on the socket and the register, so more arenas
    /// buy little speed and each keeps megabytes of its own (85 MB against 65 MB at 100,000 events).
    static func limitArenas() {
        _ = glibcMallopt(-8 /* M_ARENA_MAX */, 2)
    }

    /// Hands what a large job freed back to the system.
    static func giveBack() {
        _ = glibcMallocTrim(0)
    }
}

/// glibc's `mallopt` and `malloc_trim` (declared in <malloc.h>, which the Glibc module does not export).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
