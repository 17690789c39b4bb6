// OpenBLAS's C interface (Debian: libopenblas-dev). Kept behind one module so Accelerate could stand in.
#include <cblas.h>
