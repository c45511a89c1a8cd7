#ifndef CSHIM_AFTER_FORK_H
#define CSHIM_AFTER_FORK_H
// Internal to CShim: the library's fork-child resets, run by the one atfork child handler.

/// Runs every reset registered with `cshim_after_fork_register`, in registration order.
void after_fork_run_resets(void);
#endif
