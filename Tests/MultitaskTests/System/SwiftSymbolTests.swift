import Testing
@testable import Multitask

@Suite("SwiftSymbol")
struct SwiftSymbolTests {
    @Test("a mangled Swift name is demangled; other names stay as they are")
    func demangles() {
        #expect(SwiftSymbol.demangled("$sSiD") == "Swift.Int")
        #expect(SwiftSymbol.demangled("_$sSiD") == "Swift.Int")
        #expect(SwiftSymbol.demangled("malloc") == "malloc")
    }
}
