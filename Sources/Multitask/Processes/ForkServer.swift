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
/// It blocks SIGINT: a Ctrl-C in the terminal reaches the whole process group, the program
/// decides what happens, and the server's death would kill every child. Blocking rather than
/// ignoring matters: a child inherits the mask, so a SIGINT sent to it in the instant before it
/// starts stays pending and is delivered when it unblocks; an ignored disposition would drop it. Its parent-death signal ends it if the program
/// dies, and the children's parent-death signal then ends them.
enum ForkServer {
    static func serve(socket: PacketSocket) -> Never {
        ProcessControl.blockSignal(Signal.interrupt)
        prepareChildStart()
        var children: [CInt: Int32] = [:]
        var entryTypes: [String: (any ProcessEntry.Type)?] = [:]
        while true {
            let watched = [socket.fd] + children.keys
            let ready = Poll.readable(watched, until: nil)
            for (fd, isReady) in zip(watched, ready).dropFirst() where isReady {
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
                ProcessControl.exitImmediately(0)
            }
            guard case .message(let bytes, let descriptors) = received else {
                // The program closed the connection (or exited): so do we.
                ProcessControl.exitImmediately(0)
            }
            guard case let .start(id, inherits, hasParent, passesOutput, passesError, inline)? = ForkServerMessage(bytes) else {
                FileDescriptor.closeAll(descriptors)
                continue
            }
            var remaining = descriptors[...]
            let parent = hasParent ? remaining.popFirst() : nil
            let standardInput = inherits ? remaining.popFirst() : nil
            let standardStreams = [passesOutput, passesError].map { $0 ? remaining.popFirst() : nil }
            let payloadPipe = inline.isEmpty ? remaining.popFirst() : nil
            // The rest are the descriptors the entry's shared objects refer to, in slot order.
            let inherited = Array(remaining)
            let passed = [parent, standardInput, payloadPipe].compactMap { $0 } + standardStreams.compactMap { $0 } + inherited

            // Decoded and resolved here: the child inherits the decoded payload and the entry
            // type instead of decoding and resolving again (each costs a fresh child tens of
            // microseconds, mostly page faults), and the type's metadata is instantiated once,
            // in this quiet process, instead of in every child.
            let decoded = inline.isEmpty ? nil : try? ChildPayload(bytes: inline)
            var entryType: (any ProcessEntry.Type)?
            if let name = decoded?.entryType {
                if let known = entryTypes[name] {
                    entryType = known
                } else {
                    entryType = EntryType.resolve(name)
                    if let entryType { EntryType.prepareDecoding(of: entryType) }
                    entryTypes[name] = .some(entryType)
                }
            }
            let streams: [StandardStreams.Source] = [standardInput.map { .descriptor($0) } ?? .keep]
                + standardStreams.map { $0.map { .descriptor($0) } ?? .close }

            let serverPID = ProcessIdentity.pid
            ChildMain.prepareParentForFork()
            let pid: Int32
            let ours = Array(children.keys)
            do throws(Errno) {
                // From a thread that never ran Swift code, while this one waits in C: the
                // child's thread has no stale runtime state (see forkOnCleanThread).
                pid = try ProcessControl.forkOnCleanThread {
                    socket.close()
                    FileDescriptor.closeAll(ours)
                    runChild(serverPID: serverPID, parent: parent, redirectsInput: standardInput == nil, streams: streams,
                             payloadPipe: payloadPipe, inline: inline, decoded: decoded, entryType: entryType, inherited: inherited)
                }
            } catch {
                FileDescriptor.closeAll(passed)
                try? socket.send(ForkServerMessage.failed(request: id, errno: error.rawValue).encoded())
                continue
            }
            FileDescriptor.closeAll(passed)
            do throws(Errno) {
                let descriptor = try ProcessDescriptor.open(pid: pid)
                children[descriptor.rawValue] = pid
                try? socket.send(ForkServerMessage.started(request: id, pid: pid).encoded(), descriptors: [descriptor.rawValue])
            } catch {
                ProcessControl.killAndReap(pid)
                try? socket.send(ForkServerMessage.failed(request: id, errno: error.rawValue).encoded())
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
    }

    /// In the forked child: set up descriptors and signals, then become the entry's process.
    /// `streams` are what standard input, output and error become (built by the server: its
    /// array type is then the server's, not instantiated in each child); `redirectsInput`:
    /// standard input becomes `/dev/null`. `decoded` is the server's decoding of `inline` (nil:
    /// it failed, or the payload comes through `payloadPipe`), `entryType` the type it names,
    /// if the server resolved it.
    private static func runChild(serverPID: Int32, parent: CInt?, redirectsInput: Bool, streams: [StandardStreams.Source],
                                 payloadPipe: CInt?, inline: [UInt8], decoded: ChildPayload?, entryType: (any ProcessEntry.Type)?,
                                 inherited: [CInt]) -> Never {
        ChildMain.armParentDeathSignal(expectedParent: serverPID)
        StandardStreams.install(streams)
        if redirectsInput { ChildMain.redirectStandardInputToNull() }
        let payload: ChildPayload
        if let decoded {
            payload = decoded
        } else {
            var bytes = inline
            if let payloadPipe {
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
        ChildMain.runEntry(payload, entryType: entryType, parentDescriptor: parent.map(ProcessDescriptor.init(rawValue:)), inherited: inherited)
    }
}
