import Testing
@testable import Multitask

@Suite("LoadedFile")
struct LoadedFileTests {
    @Test("a path no loaded file has is not loaded")
    func unknownPathIsNotLoaded() {
        #expect(LoadedFile.kind(of: "/nonexistent/libnothing.so") == .notLoaded)
    }
}
