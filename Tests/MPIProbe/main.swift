// The program the MPI tests start under `mpirun` (and that spawns its own MPI workers): each
// scenario prints what it saw, one fact per line, and the tests check those lines.
#if MPI
import Multitask
import MultitaskMPI

MPI.bootstrap()
MPIProbe.main(Array(CommandLine.arguments.dropFirst()))
#else
print("built without the MPI trait")
#endif
