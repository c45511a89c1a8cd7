import CShim
import Glibc
import SystemPackage

extension FileDescriptor {
    /// Creates a close-on-exec pipe. The corresponding C function is `pipe2(O_CLOEXEC)`.
    static func closeOnExecPipe() throws(Errno) -> (readEnd: FileDescriptor, writeEnd: FileDescriptor) {
        var fds: [CInt] = [-1, -1]
        let rc = cshim_pipe2_cloexec(&fds)
        guard rc == 0 else { throw Errno(rawValue: -rc) }
        return (FileDescriptor(rawValue: fds[0]), FileDescriptor(rawValue: fds[1]))
    }

    /// Reads until end of file. The corresponding C function is `read`.
    func readToEnd() throws(Errno) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(rawValue, $0.baseAddress, $0.count) }
            if n == 0 { return result }
            if n < 0 {
                if errno == EINTR { continue }
                throw Errno(rawValue: errno)
            }
            result.append(contentsOf: chunk[0..<n])
        }
    }

    /// Writes all of `bytes`, retrying short writes and EINTR. The corresponding C function is
    /// `write`.
    func writeAll(bytes: [UInt8]) throws(Errno) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(rawValue, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Errno(rawValue: errno)
            }
            offset += n
        }
    }
}
