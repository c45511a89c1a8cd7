import SystemPackage

/// The check a freshly started copy of the program passes before it acts as a Multitask
/// child (a `.spawn` child or the fork server) instead of running `main`.
///
/// `MULTITASK_CHILD` and descriptor 3 are input from whoever started the process, so they
/// are believed only when the kernel confirms that a Multitask parent set them up:
/// - the process runs with no elevated privileges (no set-user-ID, set-group-ID or file
///   capabilities: `AT_SECURE`), so nobody can make a privileged program run an entry;
/// - descriptor 3 is a Unix socket of the kind the mode uses, created (`SO_PEERCRED`) by the
///   parent named in `MULTITASK_PARENT_PID`, which is this process's parent and runs as the
///   same user;
/// - that parent runs the same executable file (`/proc/PPID/exe` and `/proc/self/exe` have
///   the same device and inode).
///
/// The parent creates the socket pair itself just before the start, and a socket's
/// credentials are recorded by the kernel at creation, so no other process can hand over a
/// channel that passes. A refused process ignores the variables and runs `main`.
enum ChildAdmission {
    /// What the process was asked to become.
    enum Role: Equatable {
        case spawnChild
        case forkServer

        init?(mode: String) {
            switch mode {
            case "spawn": self = .spawnChild
            case "forkserver": self = .forkServer
            default: return nil
            }
        }

        /// The socket type of the role's channel on descriptor 3.
        var channelType: CInt {
            switch self {
            case .spawnChild: SocketPeer.streamType
            case .forkServer: SocketPeer.sequencedPacketType
            }
        }
    }

    /// A process that passed: its role and its parent's pid.
    struct Admitted: Equatable {
        var role: Role
        var parent: Int32
    }

    /// Why a process is not admitted as a child.
    enum Refusal: Error, Equatable, CustomStringConvertible {
        case elevatedPrivileges
        case unknownMode(String)
        case parentNotNamed
        case channelUnusable(Errno)
        case channelOfWrongType(CInt)
        case channelNotFromParent(creator: Int32, named: Int32)
        case channelOfOtherUser(UInt32)
        case notTheParent(named: Int32, actual: Int32)
        case differentExecutable(parent: Int32)
        /// The channel is the real parent's, but the parent has already exited: this child has
        /// nobody to work for. Not an intrusion; the child ends quietly.
        case parentExited(Int32)

        var description: String {
            switch self {
            case .elevatedPrivileges: "the program runs with elevated privileges (set-user-ID, set-group-ID or capabilities)"
            case .unknownMode(let mode): "unknown mode '\(mode)'"
            case .parentNotNamed: "MULTITASK_PARENT_PID is missing or not a process id"
            case .channelUnusable(let errno): "descriptor 3 is not a Unix socket (\(errno))"
            case .channelOfWrongType(let type): "descriptor 3 is a socket of type \(type), not the mode's"
            case let .channelNotFromParent(creator, named): "descriptor 3 was created by process \(creator), not by parent \(named)"
            case .channelOfOtherUser(let uid): "descriptor 3 belongs to user \(uid), not to this process's user"
            case let .notTheParent(named, actual): "process \(named) is not this process's parent (\(actual))"
            case .differentExecutable(let parent): "parent \(parent) does not run this program's executable"
            case .parentExited(let parent): "parent \(parent) has exited"
            }
        }
    }

    /// How long a child whose parent looks gone waits for it to finish exiting (only on the
    /// refusal path; an admitted child never waits).
    static var parentExitWait: Duration { .milliseconds(500) }

    /// Checks the claim of `mode` (the value of `MULTITASK_CHILD`), made by the parent named
    /// in `namedParent` (the value of `MULTITASK_PARENT_PID`), against the kernel's records.
    static func check(mode: String, namedParent: String?, channel: CInt = ChildBootstrap.channelDescriptor) -> Result<Admitted, Refusal> {
        guard !ExecutionPrivilege.isElevated else { return .failure(.elevatedPrivileges) }
        guard let role = Role(mode: mode) else { return .failure(.unknownMode(mode)) }
        guard let parent = namedParent.flatMap({ Int32($0) }), parent > 0 else { return .failure(.parentNotNamed) }
        let peer: SocketPeer
        do throws(Errno) {
            peer = try SocketPeer.of(channel)
        } catch {
            return .failure(.channelUnusable(error))
        }
        guard peer.type == role.channelType else { return .failure(.channelOfWrongType(peer.type)) }
        guard peer.pid == parent else { return .failure(.channelNotFromParent(creator: peer.pid, named: parent)) }
        guard peer.uid == ProcessIdentity.realUser else { return .failure(.channelOfOtherUser(peer.uid)) }
        // The channel is the named parent's from here on. If that parent is being killed
        // right now, it is not gone at once: its threads exit one by one (this process may
        // already belong to init, or `/proc/PARENT/exe` may already be unreadable) before it
        // counts as exited. Waiting a little for that tells an orphan, which ends quietly, from
        // a refused claim, which runs `main` — as an orphan it would run the whole program again.
        let actual = ProcessControl.parentPID
        if actual != parent {
            return .failure(ProcessIdentity.hasExited(parent, within: Self.parentExitWait) ? .parentExited(parent) : .notTheParent(named: parent, actual: actual))
        }
        guard let theirs = try? FileIdentity.executable(of: parent) else {
            return .failure(ProcessIdentity.hasExited(parent, within: Self.parentExitWait) ? .parentExited(parent) : .differentExecutable(parent: parent))
        }
        guard let mine = try? FileIdentity(path: "/proc/self/exe"), mine == theirs else {
            return .failure(.differentExecutable(parent: parent))
        }
        return .success(Admitted(role: role, parent: parent))
    }
}
