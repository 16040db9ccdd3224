import Foundation

/// The modes of everything eventd creates, decided here for each file rather than left to the
/// umask (which eventd sets to 077 only as a safety net for anything missed).
enum FileModes {
    /// Folders: the owner writes, the group (socket or feeds group) may enter and read.
    static let directory: mode_t = 0o750

    /// `mkdir -p`: the folders it creates get `directory` and `group`; existing ones are left alone.
    static func makeDirectory(_ path: String, group: gid_t? = nil) throws {
        var missing: [String] = []
        var current = path
        while !current.isEmpty, current != "/", !FileManager.default.fileExists(atPath: current) {
            missing.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        for folder in missing.reversed() {
            guard mkdir(folder, directory) == 0 || errno == EEXIST else { throw failure("cannot create the folder \(folder)") }
            // mkdir's mode passes through the umask: set it outright.
            guard chmod(folder, directory) == 0 else { throw failure("cannot set the mode of \(folder)") }
            if let group, chown(folder, uid_t.max, group) != 0 { throw failure("cannot give \(folder) to group \(group)") }
        }
    }

    /// Writes all of `bytes`, again after EINTR and short writes; false (errno set) on failure.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }

    /// The group's id; eventd must be in the group to give it files (chown to a group needs that).
    static func memberGroup(_ name: String, key: String) throws -> gid_t {
        guard let entry = getgrnam(name) else {
            throw Daemon.StartError(description: "\(key) \(name.debugDescription) is not a group on this system (see getent group)", exitCode: 78)
        }
        let gid = entry.pointee.gr_gid
        var groups = [gid_t](repeating: 0, count: Int(max(getgroups(0, nil), 0)) + 1)
        // Two statements: in one, `prefix` would read the array as it was before getgroups filled it.
        let count = Int(max(getgroups(Int32(groups.count), &groups), 0))
        groups = Array(groups.prefix(count))
        guard geteuid() == 0 || getegid() == gid || groups.contains(gid) else {
            let user = getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? String(geteuid())
            throw Daemon.StartError(
                description: "eventd runs as \(user), who is not in group \(name) (\(key)), so it cannot give files to that group: "
                    + "usermod -aG \(name) \(user) (or a line `m \(user) \(name)` in sysusers.d), then start eventd again",
                exitCode: 78)
        }
        return gid
    }

    /// Gives a folder eventd owns to `group`, with `directory` mode, so the group can pass through it.
    /// A folder eventd does not own (/tmp, someone's home) is left alone.
    static func give(_ path: String, to group: gid_t) throws {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid() else { return }
        guard chown(path, uid_t.max, group) == 0, chmod(path, directory) == 0 else { throw failure("cannot give \(path) to group \(group)") }
    }

    /// Brings files eventd wrote earlier, under other settings, to `mode` and `group`; links are left alone.
    static func settle(filesIn path: String, mode: mode_t, group: gid_t?) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where !name.hasPrefix(".") {
            var info = stat()
            let file = path + "/" + name
            guard lstat(file, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid() else { continue }
            if info.st_mode & 0o777 != mode { chmod(file, mode) }
            if let group, info.st_gid != group { lchown(file, uid_t.max, group) }
        }
    }

    static func failure(_ what: String) -> Daemon.StartError {
        Daemon.StartError(description: "\(what): \(String(cString: strerror(errno)))")
    }
}

/// Reads a file below a folder without following any symbolic link on the way, so a link planted
/// in the feeds folder cannot serve the register or anything else eventd can read.
enum NoFollow {
    struct File {
        var data: [UInt8]
        var modified: Date
    }

    static func read(_ relative: String, under directory: String) -> File? {
        let parts = relative.split(separator: "/").map(String.init)
        guard !parts.isEmpty else { return nil }
        var fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        for (index, part) in parts.enumerated() {
            let last = index == parts.count - 1
            let next = openat(fd, part, (last ? O_RDONLY : O_RDONLY | O_DIRECTORY) | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
            close(fd)
            guard next >= 0 else { return nil }
            fd = next
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        var data = [UInt8](repeating: 0, count: Int(info.st_size))
        var offset = 0
        while offset < data.count {
            let n = data.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            offset += n
        }
        data.removeLast(data.count - offset)
        let modified = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec))
        return File(data: data, modified: modified)
    }
}
