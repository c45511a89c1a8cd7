import SystemPackage
import Testing
@testable import Multitask

@Suite("DescriptorHygiene")
struct DescriptorHygieneTests {
    @Test("closeAll closes every descriptor it is given: the pipe's reader then sees end of file")
    func closeAllCloses() throws {
        let pipe = try FileDescriptor.closeOnExecPipe()
        defer { try? pipe.readEnd.close() }
        let extra = try pipe.writeEnd.duplicate()
        FileDescriptor.closeAll([pipe.writeEnd.rawValue, extra.rawValue])
        #expect(try pipe.readEnd.readToEnd() == [])
    }

    @Test("setCloseOnExec succeeds on an open descriptor and throws EBADF on an invalid one")
    func setCloseOnExec() throws {
        let pipe = try FileDescriptor.closeOnExecPipe()
        defer { FileDescriptor.closeAll([pipe.readEnd.rawValue, pipe.writeEnd.rawValue]) }
        try pipe.readEnd.setCloseOnExec()
        #expect(throws: Errno.badFileDescriptor) { try FileDescriptor(rawValue: -1).setCloseOnExec() }
    }
}
