extension ProcessActorSystem {
    /// A new host placed by `hosting` (supervised there by this system's policy, its calls
    /// timing out there after its call timeout), registered and opened.
    func remoteHost(on hosting: any ActorRemoteHosting) -> Result<any ActorHostEndpoint, any Error> {
        let host = registry.withLock { registry -> ActorRemoteHost? in
            guard !registry.isShutDown else { return nil }
            defer { registry.nextHost += 1 }
            let host = ActorRemoteHost(index: registry.nextHost, hosting: hosting, policy: restartPolicy, callTimeout: callTimeout)
            registry.hosts[host.index] = host
            return host
        }
        guard let host else { return .failure(ActorSystemError.shutDown) }
        do {
            try hosting.open(host)
        } catch {
            registry.withLock { _ = $0.hosts.removeValue(forKey: host.index) }
            return .failure(error)
        }
        return .success(host)
    }
}
