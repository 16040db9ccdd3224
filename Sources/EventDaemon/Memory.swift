/// glibc keeps what a large job freed (an import's parsed file, a pass over every feed) in its
/// per-thread arenas, so eventd would stay at its largest size for good; the job hands it back.
enum Memory {
    static func giveBack() {
        _ = glibcMallocTrim(0)
    }
}

/// glibc's `malloc_trim` (declared in <malloc.h>, which the Glibc module does not export).
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
