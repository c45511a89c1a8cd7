import SystemPackage

/// A child the fork server forks ahead of the next start request and parks on a socket of its
/// own until the request comes.
///
/// A start then costs the server a hand-off (one `sendmsg`) instead of a `fork` (~80 µs of
/// page-table copying on this VM), and the child finds the pages its start writes already
/// copied: before it parks it rehearses the decoding of the last payload the server saw,
/// which takes the copy-on-write faults of the decoder's heap and stack then, not after the
/// request. The server forks a standby only once it has been idle for ``idleBeforeFork`` after
/// a start: back-to-back starts are forked directly, since on a busy machine a standby's fork
/// and rehearsal take the CPU the children just started need (measured twice: forking the
/// next standby right after each start made back-to-back start+join slower, 730 vs 678 µs,
/// and starts 3 ms apart too, 784 vs 459 µs, since that fork runs beside the child just
/// started; README, "standby").
///
/// A hand-off is confirmed: the server tells the program the standby's pid only after the
/// standby has dropped its stale SIGINT (``hand(_:descriptors:)``), so no signal the program
/// sends after `start()` returns can be dropped with it.
///
/// It inherits nothing a directly forked child would not: it is forked from the same quiet
/// server thread (``ProcessControl/forkOnCleanThread(_:)``, so its parent-death signal is tied
/// to a thread that lives as long as the server), keeps the server's signal mask (SIGINT
/// blocked) until its request, drops a SIGINT that arrived while it was parked, and takes
/// everything that belongs to a request — standard streams, parent sentinel, name, parent pid,
/// identity — from the request itself
/// (``ForkServer/runChild(_:streams:decoded:entryType:)``). It never outlives the server: the server
/// kills and reaps it when it retires it or exits, its parent-death signal covers a server that
/// dies, and a standby whose socket closes without a request exits.
struct ForkServerStandby {
    /// How long the server waits, after a start, for nothing to happen before it forks a standby.
    static var idleBeforeFork: Duration { .milliseconds(1) }

    let pid: Int32
    /// Its pidfd, which the server watches (a standby that dies while parked is reaped) and
    /// passes on to the program with the `started` report once the standby is handed a request.
    let process: ProcessDescriptor
    /// The server's end of the standby's socket: carries one request, then is closed.
    private let channel: PacketSocket

    /// In the server: forks a standby, or returns nil if it cannot (starts then fork directly).
    /// `closing` are the server's descriptors the child must not keep (the connection to the
    /// program, the pidfds of the server's children); `rehearsal` is a payload to decode before
    /// parking (empty: none); `entryTypes` the server's resolved entry types.
    static func fork(serverPID: Int32, closing: [CInt], rehearsal: [UInt8],
                     entryTypes: ForkServerEntryTypes) -> ForkServerStandby? {
        guard let (mine, theirs) = try? PacketSocket.pair() else { return nil }
        ChildMain.prepareParentForFork()
        let pid: Int32
        do throws(Errno) {
            pid = try ProcessControl.forkOnCleanThread {
                mine.close()
                FileDescriptor.closeAll(closing)
                park(serverPID: serverPID, channel: theirs, rehearsal: rehearsal, entryTypes: entryTypes)
            }
        } catch {
            mine.close()
            theirs.close()
            return nil
        }
        theirs.close()
        guard let descriptor = try? ProcessDescriptor.open(pid: pid) else {
            ProcessControl.killAndReap(pid)
            mine.close()
            return nil
        }
        return ForkServerStandby(pid: pid, process: descriptor, channel: mine)
    }

    /// How long the server waits for a standby it handed a request to confirm it: past that
    /// (a standby stopped or starved), the server ends it and forks the child directly.
    static var confirmationTimeout: Duration { .milliseconds(100) }

    /// The one byte a standby sends back once it is ready to become the request's process.
    static let confirmation: UInt8 = 1

    /// Hands the standby a request (the packet and its descriptors, as the server received
    /// them; the server still closes its own copies) and waits, sleeping, at most
    /// ``confirmationTimeout`` for the standby's confirmation that it dropped any SIGINT that
    /// reached it while parked. Only then may the program learn its pid: a signal the program
    /// sends after ``Process/start()`` returns must not be dropped with the stale one. False
    /// if the standby is gone or did not confirm: the caller then discards it and forks the
    /// child directly.
    func hand(_ bytes: [UInt8], descriptors: [CInt]) -> Bool {
        defer { channel.close() }
        guard (try? channel.send(bytes, descriptors: descriptors)) != nil,
              Poll.readable([channel.fd], until: .after(Self.confirmationTimeout))[0],
              case .message(let reply, let passed)? = try? channel.receive(capacity: 1)
        else { return false }
        FileDescriptor.closeAll(passed)
        return reply == [Self.confirmation]
    }

    /// Ends and reaps a standby that will not be used, or that died while parked.
    func discard() {
        channel.close()
        if !process.hasExited { try? process.sendSignal(Signal.kill) }
        _ = try? process.reap(nonBlocking: false)
        process.close()
    }

    /// In the standby: rehearse, wait for the request, become its child.
    private static func park(serverPID: Int32, channel: PacketSocket, rehearsal: [UInt8],
                             entryTypes: ForkServerEntryTypes) -> Never {
        var entryTypes = entryTypes
        ChildMain.armParentDeathSignal(expectedParent: serverPID)
        // Only the envelope is decoded: the entry value may hold handles whose decoding takes
        // descriptors, and a user type's decoding may have effects.
        if !rehearsal.isEmpty, let payload = try? ChildPayload(bytes: rehearsal) {
            // A type the server has not resolved is looked up now, not after the hand-off.
            _ = entryTypes.resolve(payload.entryType)
        }
        let received = try? channel.receive(capacity: ForkServerMessage.maximumSize)
        guard case .message(let bytes, let descriptors)? = received,
              let request = ForkServerRequest(bytes: bytes, descriptors: descriptors)
        else {
            // Retired by the server (its socket closed without a request), or the server is gone.
            ProcessControl.exitImmediately(0)
        }
        // A Ctrl-C that reached the process group while this standby was parked (SIGINT is
        // blocked, as in the server) was not meant for the process it now becomes: a child
        // forked for this request would not have it pending. Its signal state is now that of
        // a child just forked for the request (SIGINT blocked, default dispositions).
        ProcessControl.discardPendingSignal(Signal.interrupt)
        // Confirmed only now: the server tells the program this pid after the confirmation, so
        // any SIGINT the program sends from then on stays pending until the entry runs. A
        // server that gave up on this standby (and is killing it) is not answered.
        guard (try? channel.send([confirmation])) != nil else { ProcessControl.exitImmediately(0) }
        channel.close()
        let decoded = request.inline.isEmpty ? nil : try? ChildPayload(bytes: request.inline)
        let entryType = decoded.flatMap { entryTypes.resolve($0.entryType) }
        ForkServer.runChild(request, streams: request.streams, decoded: decoded, entryType: entryType)
    }
}
