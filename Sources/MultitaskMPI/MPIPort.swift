#if MPI
import CMPI
import Glibc

/// The messages of one process's MPI thread on one communicator: sends that never block (each
/// buffer is kept until MPI is done with it, so two sides sending large batches to each other
/// cannot deadlock) and receives by polling (`MPI_Iprobe`), so that the thread can sleep
/// between polls instead of spinning inside MPI.
final class MPIPort {
    /// The communicator: `MPI_COMM_WORLD`, or the intercommunicator to spawned workers or to
    /// the parent that spawned this process.
    let comm: MPI_Comm
    private var sends: [(request: MPI_Request?, buffer: UnsafeMutableRawBufferPointer)] = []

    init(comm: MPI_Comm) {
        self.comm = comm
    }

    deinit {
        for send in sends { send.buffer.deallocate() }
    }

    /// Starts sending `message` to `rank`.
    func send(_ message: MPIMessage, to rank: Int32) throws {
        let bytes = try message.encoded()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        var request: MPI_Request? = cmpi_request_null()
        let status = MPI_Isend(buffer.baseAddress, Int32(bytes.count), cmpi_byte(), rank, MPICalls.tag, comm, &request)
        guard status == MPI_SUCCESS else {
            buffer.deallocate()
            try MPICalls.check(status, "MPI_Isend")
            return
        }
        sends.append((request, buffer))
    }

    /// Lets MPI move the sends along; frees the buffers of those that are done. Returns
    /// whether sends are still pending.
    @discardableResult
    func progress() throws(MPIError) -> Bool {
        var index = 0
        while index < sends.count {
            var flag: Int32 = 0
            try MPICalls.check(MPI_Test(&sends[index].request, &flag, cmpi_status_ignore()), "MPI_Test")
            if flag != 0 {
                sends[index].buffer.deallocate()
                sends.remove(at: index)
            } else {
                index += 1
            }
        }
        return !sends.isEmpty
    }

    /// The next message that arrived, with its source rank; nil when none is waiting.
    func receive() throws -> (source: Int32, message: MPIMessage)? {
        var flag: Int32 = 0
        var status = MPI_Status()
        // Open MPI's probe matches what already arrived, then lets MPI progress once: a
        // message that progress brings in is reported by the next probe, not this one. So a
        // probe that finds nothing asks again at once, or a thread that polls between sleeps
        // would see every message one sleep late.
        for _ in 0..<2 where flag == 0 {
            try MPICalls.check(MPI_Iprobe(MPI_ANY_SOURCE, MPICalls.tag, comm, &flag, &status), "MPI_Iprobe")
        }
        guard flag != 0 else { return nil }
        var count: Int32 = 0
        try MPICalls.check(MPI_Get_count(&status, cmpi_byte(), &count), "MPI_Get_count")
        let source = cmpi_status_source(&status)
        var bytes = [UInt8](repeating: 0, count: Int(count))
        let received = bytes.withUnsafeMutableBytes {
            MPI_Recv($0.baseAddress, count, cmpi_byte(), source, MPICalls.tag, comm, cmpi_status_ignore())
        }
        try MPICalls.check(received, "MPI_Recv")
        return (source, try MPIMessage.decode(bytes))
    }

    /// Moves the sends along until all are done, or `limit` passed; returns whether they are.
    func flush(within limit: Duration) -> Bool {
        let clock = ContinuousClock(), end = clock.now + limit
        while (try? progress()) ?? false {
            if clock.now >= end { return false }
            usleep(100)
        }
        return true
    }
}
#endif
