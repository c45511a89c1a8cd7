import SystemPackage

/// The fork server: a copy of the program, started once, that forks children on request.
///
/// It does nothing but wait, so the `fork` calls it makes copy no lock held by another
/// thread, no Dispatch pool, no half-built runtime metadata: every child starts from a clean,
/// quiet process. Its one other thread is the C-only thread every fork is made from
/// (``ProcessControl/forkOnCleanThread(_:)``), so that a child's thread carries no runtime
/// state of the server's. It reaps its children and reports their exit codes, and exits
/// when the program closes the connection.
///
/// Once it has been idle for a moment after a start, it forks the next child ahead of time, a
/// ``ForkServerStandby`` parked until the next request: that start is then a hand-off,
/// without a `fork` in its way.
///
/// It blocks SIGINT: a Ctrl-C in the terminal reaches the whole process group, the program
/// decides what happens, and the server's death would kill every child. Blocking rather than
/// ignoring matters: a child inherits the mask, so a SIGINT sent to it in the instant before it
/// starts stays pending and is delivered when it unblocks; an ignored disposition would drop it. Its parent-death signal ends it if the program
/// dies, and the children's parent-death signal then ends them.
enum ForkServer {
    static func serve(socket: PacketSocket) -> Never {
        ProcessControl.blockSignal(Signal.interrupt)
        prepareChildStart()
        let serverPID = ProcessIdentity.pid
        var children: [CInt: Int32] = [:]
        var entryTypes = ForkServerEntryTypes()
        // Forked once the server has been idle for a while after a start (see ForkServerStandby).
        var standby: ForkServerStandby?
        var lastPayload: [UInt8]?
        while true {
            let standbyDescriptor = standby?.process.rawValue
            let watched = [socket.fd] + children.keys + (standbyDescriptor.map { [$0] } ?? [])
            // With no standby after a start, wait only a little: if nothing comes meanwhile, fork
            // one then. Back-to-back starts keep the server busy, and fork directly instead of
            // paying for a standby's fork and rehearsal on the CPU their children need.
            let waitsForStandby = standby == nil && lastPayload != nil
            let ready = Poll.readable(watched, until: waitsForStandby ? .after(ForkServerStandby.idleBeforeFork) : nil)
            if waitsForStandby && !ready.contains(true), let rehearsal = lastPayload {
                standby = ForkServerStandby.fork(serverPID: serverPID, closing: [socket.fd] + children.keys,
                                                 rehearsal: rehearsal, entryTypes: entryTypes)
                // Forked or not, once per quiet spell: a failed fork is retried after the next start.
                lastPayload = nil
                continue
            }
            for (fd, isReady) in zip(watched, ready).dropFirst() where isReady {
                if fd == standbyDescriptor {
                    // It died while parked (killed from outside): reap it; the next quiet spell forks another.
                    standby?.discard()
                    standby = nil
                    continue
                }
                guard let pid = children[fd] else { continue }
                guard let code = try? ProcessDescriptor(rawValue: fd).reap(nonBlocking: true) else { continue }
                children[fd] = nil
                try? FileDescriptor(rawValue: fd).close()
                try? socket.send(ForkServerMessage.exited(pid: pid, code: code).encoded())
            }
            guard ready[0] else { continue }
            let received: PacketSocket.Received
            do {
                received = try socket.receive(capacity: ForkServerMessage.maximumSize)
            } catch {
                standby?.discard()
                ProcessControl.exitImmediately(0)
            }
            guard case .message(let bytes, let descriptors) = received else {
                // The program closed the connection (or exited): so do we, and the standby with us.
                standby?.discard()
                ProcessControl.exitImmediately(0)
            }
            guard let request = ForkServerRequest(bytes: bytes, descriptors: descriptors) else {
                FileDescriptor.closeAll(descriptors)
                continue
            }

            // Only an inline payload is rehearsed (a piped one is read by the child itself).
            lastPayload = request.inline
            if let parked = standby {
                standby = nil
                if parked.hand(bytes, descriptors: descriptors) {
                    FileDescriptor.closeAll(descriptors)
                    children[parked.process.rawValue] = parked.pid
                    try? socket.send(ForkServerMessage.started(request: request.id, pid: parked.pid).encoded(),
                                     descriptors: [parked.process.rawValue])
                    continue
                }
                parked.discard()
            }

            // Decoded and resolved here: the child inherits the decoded payload and the entry
            // type instead of decoding and resolving again (each costs a fresh child tens of
            // microseconds, mostly page faults), and the type's metadata is instantiated once,
            // in this quiet process, instead of in every child.
            let decoded = request.inline.isEmpty ? nil : try? ChildPayload(bytes: request.inline)
            let entryType = decoded.flatMap { entryTypes.resolve($0.entryType) }

            // Built here, not in the child: its allocations would write (and copy) heap pages there.
            let streams = request.streams
            ChildMain.prepareParentForFork()
            let pid: Int32
            let ours = Array(children.keys)
            do throws(Errno) {
                // From a thread that never ran Swift code, while this one waits in C: the
                // child's thread has no stale runtime state (see forkOnCleanThread).
                pid = try ProcessControl.forkOnCleanThread {
                    socket.close()
                    FileDescriptor.closeAll(ours)
                    ChildMain.armParentDeathSignal(expectedParent: serverPID)
                    runChild(request, streams: streams, decoded: decoded, entryType: entryType)
                }
            } catch {
                FileDescriptor.closeAll(descriptors)
                try? socket.send(ForkServerMessage.failed(request: request.id, errno: error.rawValue).encoded())
                continue
            }
            FileDescriptor.closeAll(descriptors)
            do throws(Errno) {
                let descriptor = try ProcessDescriptor.open(pid: pid)
                children[descriptor.rawValue] = pid
                try? socket.send(ForkServerMessage.started(request: request.id, pid: pid).encoded(), descriptors: [descriptor.rawValue])
            } catch {
                ProcessControl.killAndReap(pid)
                try? socket.send(ForkServerMessage.failed(request: request.id, errno: error.rawValue).encoded())
                continue
            }
        }
    }

    /// Done once, before the first fork: instantiates here the runtime metadata that every
    /// child's start needs and the server's own work does not (the entry decoder's user-info
    /// dictionary, the optional payload the fork closure copies), so that each child inherits
    /// it instead of building it again: two fifths of a no-op child's time went there
    /// (demangling, a conformance scan, allocation and their page faults; measured).
    private static func prepareChildStart() {
        _ = ChildPayload.decoderUserInfo(PassedDescriptor.Table(descriptors: []))
        RuntimeMetadata.instantiate(ChildPayload?.self)
        _ = ForkServerRequest.streams(standardInput: nil, standardStreams: [nil, nil])
    }

    /// In the forked child (forked for `request`, or a standby handed it), its parent-death
    /// signal armed: set up descriptors and signals, then become the entry's process.
    /// `streams` are the request's ``ForkServerRequest/streams``, built before the fork.
    /// `decoded` is the decoding of the request's inline payload (nil: it failed, or the
    /// payload comes through the request's pipe), `entryType` the type it names, if resolved.
    static func runChild(_ request: ForkServerRequest, streams: [StandardStreams.Source], decoded: ChildPayload?,
                         entryType: (any ProcessEntry.Type)?) -> Never {
        StandardStreams.install(streams)
        if request.standardInput == nil { ChildMain.redirectStandardInputToNull() }
        let payload: ChildPayload
        if let decoded {
            payload = decoded
        } else {
            var bytes = request.inline
            if let payloadPipe = request.payloadPipe {
                bytes = (try? FileDescriptor(rawValue: payloadPipe).readToEnd()) ?? []
                FileDescriptor.closeAll([payloadPipe])
            }
            do {
                payload = try ChildPayload(bytes: bytes)
            } catch {
                writeToStandardError("Multitask fork-server child \(ProcessIdentity.pid): unreadable start payload (\(error))\n")
                ProcessControl.exitImmediately(1)
            }
        }
        ProcessControl.unblockAllSignals()
        ChildMain.runEntry(payload, entryType: entryType, parentDescriptor: request.parent.map(ProcessDescriptor.init(rawValue:)),
                           inherited: request.inherited)
    }
}
