import CShim
import Glibc
import SystemPackage

/// What the kernel says about a Unix socket and the process that created its other end:
/// facts a process cannot forge about a descriptor it was handed.
struct SocketPeer: Equatable, Sendable {
    /// `SOCK_STREAM`, `SOCK_SEQPACKET`, …
    var type: CInt
    /// The process that created the peer end (for a `socketpair`, the process that called it).
    var pid: pid_t
    var uid: uid_t
    var gid: gid_t

    /// The type of a stream socket (`SOCK_STREAM`): ordered bytes, no message boundaries.
    static var streamType: CInt { CInt(SOCK_STREAM.rawValue) }
    /// The type of a sequenced-packet socket (`SOCK_SEQPACKET`): ordered, whole messages.
    static var sequencedPacketType: CInt { CInt(SOCK_SEQPACKET.rawValue) }

    /// The peer of the `AF_UNIX` socket `fd`. Throws `ENOTSOCK` for anything that is not a
    /// socket and `EAFNOSUPPORT` for a socket of another domain. The corresponding C function
    /// is `getsockopt` (`SO_DOMAIN`, `SO_TYPE`, `SO_PEERCRED`).
    static func of(_ fd: CInt) throws(Errno) -> SocketPeer {
        var domain: CInt = 0
        var type: CInt = 0
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
        let rc = cshim_socket_peer(fd, &domain, &type, &pid, &uid, &gid)
        guard rc == 0 else { throw Errno(rawValue: -rc) }
        guard domain == AF_UNIX else { throw .addressFamilyNotSupported }
        return SocketPeer(type: type, pid: pid, uid: uid, gid: gid)
    }
}
