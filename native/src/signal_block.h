// The signal block around oneDNN calls.
//
// oneDNN 2.6's JIT sgemm kernels (dnnl_sgemm, and primitives built on them) point rsp at a heap
// workspace while they run, so a signal delivered to that thread meanwhile has its frame written
// into the heap and corrupts it (oneDNN issue 4845, fixed in releases after Debian's). Node
// receives signals: SIGPROF from --cpu-prof (which aborted an MLP step with "corrupted size vs.
// prev_size" within seconds), SIGCHLD when a child exits, SIGINT. Kernels that call oneDNN
// therefore block asynchronous signals on the calling thread for the call's duration; pending ones
// are delivered when it returns. OpenMP's worker threads are created inside such calls (and by
// setThreads, under the same block), so they inherit the blocked mask. Faults stay unblocked.
#pragma once

#include <pthread.h>

#include <csignal>

namespace batchlab {

class SignalBlock {
 public:
  SignalBlock() {
    sigset_t all;
    sigfillset(&all);
    for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT}) sigdelset(&all, s);
    pthread_sigmask(SIG_BLOCK, &all, &old_);
  }
  ~SignalBlock() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  SignalBlock(const SignalBlock&) = delete;
  SignalBlock& operator=(const SignalBlock&) = delete;

 private:
  sigset_t old_;
};

}  // namespace batchlab
