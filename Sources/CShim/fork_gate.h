#ifndef CSHIM_FORK_GATE_H
#define CSHIM_FORK_GATE_H
// Internal to CShim: the fork gate's uses by the waits and by the clean forker.

/// A thread holding the gate lets go of it before blocking; returns whether it did.
int fork_gate_pause(void);
/// Takes the gate back after a wait, if `fork_gate_pause` let go of it (blocks during a fork).
void fork_gate_resume(int paused);
/// Waits up to `timeout_ns` until every thread holding the gate is blocked in a wait, and
/// keeps them there. Returns 1 if the gate is closed, 0 if the time ran out.
int fork_gate_close(long timeout_ns);
/// Lets the threads go on after `fork_gate_close` returned 1.
void fork_gate_open(void);
/// In a fork child: the gate is free and no thread holds it.
void fork_gate_reset_in_child(void);
#endif
