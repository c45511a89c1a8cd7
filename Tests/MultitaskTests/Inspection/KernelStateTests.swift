import Testing
@testable import Multitask

@Suite("Kernel states and the five-state model")
struct KernelStateTests {
    @Test("every kernel state letter maps to a five-state model state", arguments: [
        ("R", ProcessState.running), ("W", .ready),
        ("S", .waiting), ("D", .waiting), ("I", .waiting), ("T", .waiting), ("t", .waiting),
        ("P", .waiting), ("K", .waiting),
        ("Z", .terminated), ("X", .terminated), ("x", .terminated),
    ] as [(Character, ProcessState)])
    func mapping(letter: Character, expected: ProcessState) {
        let state = KernelState(letter: letter)
        #expect(state.isKnown)
        #expect(state.processState == expected)
        #expect(state.meaning != "unknown state")
        #expect(state.description == String(letter))
    }

    @Test("the known letters are exactly the ones Linux has used, each once")
    func allKnown() {
        let letters = KernelState.allKnown.map(\.letter)
        #expect(Set(letters) == Set("RSDZTtXIPWKx"))
        #expect(letters.count == 12)
    }

    @Test("named constants carry their letters")
    func constants() {
        #expect(KernelState.zombie.letter == "Z")
        #expect(KernelState.running == KernelState(letter: "R"))
        #expect(KernelState.tracingStop.letter == "t")
        #expect(KernelState.idle.processState == .waiting)
    }

    @Test("an unknown letter is kept and reported as waiting")
    func unknown() {
        let state = KernelState(letter: "Q")
        #expect(!state.isKnown)
        #expect(state.processState == .waiting)
        #expect(state.meaning == "unknown state")
    }

    @Test("the five states are the seed's, in order")
    func fiveStates() {
        #expect(ProcessState.allCases.map(\.description) == ["new", "ready", "running", "waiting", "terminated"])
    }
}
