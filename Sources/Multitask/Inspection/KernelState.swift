/// The one-letter state Linux reports for a task in `/proc/PID/stat`, the first letter of
/// `ps`'s STAT column.
///
/// Every letter a kernel has used since 2.6 has a constant here; ``processState`` maps it to
/// the five-state model (the full table is on ``ProcessState``). A letter not listed is kept
/// as it was read and maps to ``ProcessState/waiting``.
///
/// ```swift
/// let state = KernelState(letter: "Z")
/// state == .zombie            // true
/// state.processState          // .terminated
/// ```
public struct KernelState: Hashable, Sendable, CustomStringConvertible {
    /// The letter as the kernel prints it.
    public let letter: Character

    /// Wraps a letter read from `/proc`.
    public init(letter: Character) {
        self.letter = letter
    }

    /// `R`: running, or runnable and queued for a CPU.
    public static let running = KernelState(letter: "R")
    /// `S`: interruptible sleep, waiting for an event.
    public static let sleeping = KernelState(letter: "S")
    /// `D`: uninterruptible sleep, usually waiting for I/O.
    public static let diskSleep = KernelState(letter: "D")
    /// `Z`: zombie, exited but not yet reaped by its parent.
    public static let zombie = KernelState(letter: "Z")
    /// `T`: stopped by a signal (SIGSTOP, SIGTSTP, …).
    public static let stopped = KernelState(letter: "T")
    /// `t`: stopped by a debugger during tracing.
    public static let tracingStop = KernelState(letter: "t")
    /// `X`: dead, being removed; rarely seen.
    public static let dead = KernelState(letter: "X")
    /// `I`: idle kernel thread (an uninterruptible sleep not counted in the load average).
    public static let idle = KernelState(letter: "I")
    /// `P`: parked kernel thread, waiting to be unparked.
    public static let parked = KernelState(letter: "P")
    /// `W`: waking, woken and not yet running (kernels 2.6.33–3.13; "paging" before 2.6).
    public static let waking = KernelState(letter: "W")
    /// `K`: wake-kill, a sleep only fatal signals interrupt (kernels 2.6.33–3.13).
    public static let wakeKill = KernelState(letter: "K")
    /// `x`: dead (kernels 2.6.33–3.13).
    public static let deadLegacy = KernelState(letter: "x")

    /// Every letter listed above.
    public static let allKnown: [KernelState] = [
        .running, .sleeping, .diskSleep, .zombie, .stopped, .tracingStop,
        .dead, .idle, .parked, .waking, .wakeKill, .deadLegacy,
    ]

    /// Whether the letter is one of ``allKnown``.
    public var isKnown: Bool { KernelState.allKnown.contains(self) }

    /// The letter's place in the five-state model (see ``ProcessState``).
    public var processState: ProcessState {
        switch letter {
        case "R": .running
        case "W": .ready
        case "Z", "X", "x": .terminated
        default: .waiting
        }
    }

    /// What the letter means, in a few words.
    public var meaning: String {
        switch letter {
        case "R": "running or runnable"
        case "S": "sleeping (interruptible)"
        case "D": "waiting for I/O (uninterruptible)"
        case "Z": "zombie (exited, not reaped)"
        case "T": "stopped by a signal"
        case "t": "stopped by a debugger"
        case "X", "x": "dead"
        case "I": "idle kernel thread"
        case "P": "parked kernel thread"
        case "W": "waking"
        case "K": "wake-kill sleep"
        default: "unknown state"
        }
    }

    /// The letter itself.
    public var description: String { String(letter) }
}
