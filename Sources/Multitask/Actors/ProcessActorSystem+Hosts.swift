extension ProcessActorSystem {
    /// Registers the host `make` builds with the next host number; nil once the system is shut
    /// down (no host is made then).
    func registerHost<Host: ActorHostEndpoint>(_ make: (UInt32) -> Host) -> Host? {
        registry.withLock { registry in
            guard !registry.isShutDown else { return nil }
            defer { registry.nextHost += 1 }
            let host = make(registry.nextHost)
            registry.hosts[host.index] = host
            return host
        }
    }

    /// A new host placed by `hosting` (supervised there by this system's policy, its calls
    /// timing out there after its call timeout), registered and opened.
    func remoteHost(on hosting: any ActorRemoteHosting) -> Result<any ActorHostEndpoint, any Error> {
        guard let host = registerHost({ ActorRemoteHost(index: $0, hosting: hosting, policy: restartPolicy, callTimeout: callTimeout) }) else {
            return .failure(ActorSystemError.shutDown)
        }
        do {
            try hosting.open(host)
        } catch {
            registry.withLock { _ = $0.hosts.removeValue(forKey: host.index) }
            return .failure(error)
        }
        return .success(host)
    }
}
