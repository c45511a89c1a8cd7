import SystemPackage

/// A pool worker started with `.spawn` or `.forkserver`: what a forked worker finds in its
/// copy of the parent's memory (its socket, its status page, the configuration) travels in
/// this entry value instead, the socket and the page as passed descriptors.
struct PoolWorkerEntry: ProcessEntry {
    /// The worker's end of its socket. In the parent, borrowed; in the worker, a duplicate
    /// this value owns (the passed copy is closed once the entry is decoded).
    let socket: CInt
    /// The shared page of every worker's status (the worker maps it while decoding, before
    /// the passed descriptor is closed), and where this worker's status is in it.
    let statusPage: SharedMemory
    let statusOffset: Int
    let configuration: PoolWorkerConfiguration

    init(socket: CInt, statusPage: SharedMemory, statusOffset: Int, configuration: PoolWorkerConfiguration) {
        self.socket = socket
        self.statusPage = statusPage
        self.statusOffset = statusOffset
        self.configuration = configuration
    }

    private enum CodingKeys: String, CodingKey { case socket, statusPage, statusOffset, configuration }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(PassedDescriptor(rawValue: socket), forKey: .socket)
        try container.encode(statusPage.handle, forKey: .statusPage)
        try container.encode(statusOffset, forKey: .statusOffset)
        try container.encode(configuration, forKey: .configuration)
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        statusPage = try SharedMemory(adopting: container.decode(SharedMemoryHandle.self, forKey: .statusPage))
        statusOffset = try container.decode(Int.self, forKey: .statusOffset)
        guard statusOffset >= 0, statusOffset % PoolWorkerStatus.stride == 0,
              statusOffset + PoolWorkerStatus.stride <= statusPage.size else {
            throw DecodingError.dataCorruptedError(forKey: .statusOffset, in: container, debugDescription: "status offset \(statusOffset) is outside the \(statusPage.size)-byte status page")
        }
        var configuration = try container.decode(PoolWorkerConfiguration.self, forKey: .configuration)
        // The initializer is decoded later, by the worker loop, after the passed descriptors
        // are closed: it gets duplicates of its own.
        if var initializer = configuration.initializer {
            initializer.descriptors = try initializer.descriptors.map { PassedDescriptor(rawValue: try $0.duplicate()) }
            initializer.ownsDescriptors = true
            configuration.initializer = initializer
        }
        self.configuration = configuration
        let passed = try container.decode(PassedDescriptor.self, forKey: .socket)
        socket = try passed.duplicate()
    }

    func run() throws {
        let status = PoolWorkerStatus(at: statusPage.bytes.baseAddress! + statusOffset, initialize: false)
        withExtendedLifetime(statusPage) {
            PoolWorkerLoop.serve(socket: StreamSocket(fd: socket), status: status, configuration: configuration)
        }
    }
}
