import Glibc
import SystemPackage
import Testing
@testable import Multitask

/// Who may make a program that links Multitask act as a child: only a Multitask parent
/// running the same executable, never an outsider and never through a privileged program.
@Suite(.serialized) struct ChildAdmissionTests {
    static let modes = ["spawn", "forkserver"]

    @Test("a process's own socket pair, a pipe or a socket of the wrong type is refused")
    func channelChecks() throws {
        var pipeEnds: [CInt] = [-1, -1]
        #expect(pipe(&pipeEnds) == 0)
        defer { pipeEnds.forEach { close($0) } }
        let named = String(getppid())
        #expect(ChildAdmission.check(mode: "spawn", namedParent: named, channel: pipeEnds[0]) == .failure(.channelUnusable(.notSocket)))

        let stream = try StreamSocket.pair()
        defer { stream.0.close(); stream.1.close() }
        #expect(ChildAdmission.check(mode: "forkserver", namedParent: named, channel: stream.1.fd)
                == .failure(.channelOfWrongType(CInt(SOCK_STREAM.rawValue))))
        // This process made the pair, so its creator is not the parent the variable names.
        #expect(ChildAdmission.check(mode: "spawn", namedParent: named, channel: stream.1.fd)
                == .failure(.channelNotFromParent(creator: getpid(), named: getppid())))
        #expect(ChildAdmission.check(mode: "spawn", namedParent: nil, channel: stream.1.fd) == .failure(.parentNotNamed))
        #expect(ChildAdmission.check(mode: "spawn", namedParent: "-4", channel: stream.1.fd) == .failure(.parentNotNamed))
        #expect(ChildAdmission.check(mode: "thread", namedParent: named, channel: stream.1.fd) == .failure(.unknownMode("thread")))
    }

    @Test("a real .spawn child of the probe runs its entry", .enabled(if: AdmissionProbe.built != nil, "the probe was not built"))
    func legitimateSpawnRuns() throws {
        let probe = try #require(AdmissionProbe.built)
        let directory = try TemporaryDirectory()
        let run = try AdmissionProbe.run([probe.path, "spawn", directory.path + "/entry"])
        #expect(run.outcome == .exited(0), "\(run.errors)")
        #expect(readFile(directory.path + "/entry")?.hasPrefix("entry") == true)
    }

    @Test("a forged request from a process of the same executable is admitted (the control)",
          .enabled(if: AdmissionProbe.built != nil, "the probe was not built"), arguments: modes)
    func sameExecutableParentIsAdmitted(mode: String) throws {
        let probe = try #require(AdmissionProbe.built)
        let directory = try TemporaryDirectory()
        let request = try probe.startRequest(mode: mode, marker: directory.path + "/entry")
        let run = try AdmissionProbe.run([probe.path, "forge", mode, "-", hex(request), probe.path, directory.path + "/main"])
        #expect(run.outcome != .hung)
        #expect(readFile(directory.path + "/entry")?.hasPrefix("entry") == true, "\(run.errors)")
        #expect(readFile(directory.path + "/main") == nil)
    }

    @Test("an outsider of another executable cannot make the probe run an entry: main runs instead",
          .enabled(if: AdmissionProbe.built != nil, "the probe was not built"), arguments: modes)
    func outsiderIsRefused(mode: String) throws {
        let probe = try #require(AdmissionProbe.built)
        let directory = try TemporaryDirectory()
        let request = try probe.startRequest(mode: mode, marker: directory.path + "/entry")
        var fds: [CInt] = [-1, -1]
        let type = mode == "spawn" ? CInt(SOCK_STREAM.rawValue) : CInt(SOCK_SEQPACKET.rawValue)
        #expect(socketpair(AF_UNIX, type | CInt(SOCK_CLOEXEC.rawValue), 0, &fds) == 0)
        defer { close(fds[0]) }
        #expect(request.withUnsafeBytes { send(fds[0], $0.baseAddress, $0.count, CInt(MSG_NOSIGNAL)) } == request.count)
        if mode == "spawn" { shutdown(fds[0], CInt(SHUT_WR)) }
        // This test process is the real parent and the socket's creator: only the executable differs.
        let environment = ["PATH=/usr/bin:/bin", "MULTITASK_CHILD=\(mode)", "MULTITASK_PARENT_PID=\(getpid())"]
        let run = try AdmissionProbe.run([probe.path, "main", directory.path + "/main"], environment: environment, channel: fds[1])
        close(fds[1])
        #expect(run.outcome == .exited(0))
        #expect(readFile(directory.path + "/entry") == nil)
        #expect(readFile(directory.path + "/main")?.hasPrefix("main") == true)
        #expect(run.errors.contains("does not run this program's executable"), "\(run.errors)")
    }
}

/// The attack of the audit: an unprivileged user starts a set-user-ID-root program that links
/// Multitask with a forged child environment and request.
@Suite(.serialized, .enabled(if: getuid() == 0 && AdmissionProbe.built != nil, "needs root (to make a set-user-ID-root copy of the probe) and the probe"))
struct PrivilegedAdmissionTests {
    /// A root-owned directory holding a plain and a set-user-ID-root copy of the probe, a
    /// root-only `markers` directory, and an unprivileged user to run as.
    final class Setup {
        let directory: TemporaryDirectory
        let plain: String
        let setuid: String
        let markers: String
        let user: UnprivilegedUser

        init() throws {
            let probe = try #require(AdmissionProbe.built)
            directory = try TemporaryDirectory(mode: 0o755)
            plain = directory.path + "/probe"
            setuid = directory.path + "/probe-setuid"
            markers = directory.path + "/markers"
            try copyFile(probe.path, to: plain, mode: 0o755)
            try copyFile(probe.path, to: setuid, mode: 0o4755)
            mkdir(markers, 0o700)
            user = try UnprivilegedUser()
        }
    }

    /// Who forges the start: a plain copy of the probe (the audit's attack), or the
    /// set-user-ID copy itself, dropping to the user before it forges, so that channel, parent
    /// and executable all pass and only the privilege check is left.
    enum Forger: String, CaseIterable { case plainCopy, sameSetuidExecutable }

    @Test("an unprivileged user's forged start of a set-user-ID program runs main, not the entry",
          arguments: Forger.allCases, ChildAdmissionTests.modes)
    func setuidProgramRefusesForgedStart(forger: Forger, mode: String) throws {
        let setup = try Setup()
        let probe = AdmissionProbe(path: setup.setuid)
        let request = try probe.startRequest(mode: mode, marker: setup.markers + "/entry")
        let intruder = forger == .plainCopy ? setup.plain : setup.setuid
        let run = try AdmissionProbe.run([intruder, "forge", mode, "\(setup.user.uid)", hex(request), setup.setuid, setup.markers + "/main"])
        #expect(run.outcome == .exited(0), "\(run.errors)")
        #expect(readFile(setup.markers + "/entry") == nil)
        // main did run, and with root's effective id: the copy really was privileged.
        #expect(readFile(setup.markers + "/main") == "main euid=0 ruid=\(setup.user.uid)\n")
        #expect(run.errors.contains("elevated privileges"), "\(run.errors)")
    }

    @Test("a set-user-ID program's own .spawn start throws instead of starting a child that would refuse")
    func privilegedParentCannotSpawn() throws {
        let setup = try Setup()
        guard access("/usr/bin/setpriv", X_OK) == 0 else { return }
        let run = try AdmissionProbe.run(["/usr/bin/setpriv", "--reuid=\(setup.user.uid)", "--regid=\(setup.user.uid)", "--clear-groups",
                                          setup.setuid, "spawn", setup.markers + "/entry"])
        #expect(run.outcome == .exited(2))
        #expect(run.errors.contains("elevated privileges"), "\(run.errors)")
        #expect(readFile(setup.markers + "/entry") == nil)
    }
}

/// A system user made for a test with `useradd` and removed with `userdel`; when `useradd` is
/// not available, the conventional unprivileged id 65534 (nobody).
final class UnprivilegedUser {
    let uid: uid_t
    private let name: String?

    init() throws {
        let name = "mtprobe\(getpid())"
        if access("/usr/sbin/useradd", X_OK) == 0,
           try AdmissionProbe.run(["/usr/sbin/useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name]).outcome == .exited(0),
           let entry = getpwnam(name) {
            uid = entry.pointee.pw_uid
            self.name = name
        } else {
            uid = 65534
            self.name = nil
        }
    }

    deinit {
        if let name { _ = try? AdmissionProbe.run(["/usr/sbin/userdel", name]) }
    }
}

func copyFile(_ source: String, to target: String, mode: mode_t) throws {
    guard let bytes = readBytes(source) else { throw Errno.noSuchFileOrDirectory }
    let fd = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o700)
    guard fd >= 0 else { throw Errno(rawValue: errno) }
    defer { close(fd) }
    try FileDescriptor(rawValue: fd).writeAll(bytes)
    // chmod after writing: a write by a non-owner would clear the set-user-ID bit anyway.
    guard fchmod(fd, mode) == 0 else { throw Errno(rawValue: errno) }
}

func readBytes(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    return try? FileDescriptor(rawValue: fd).readToEnd()
}
