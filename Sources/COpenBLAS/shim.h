// Declarations only: libopenblas.so.0 is opened at run time by SiamTensor's BLAS loader.
#include <x86_64-linux-gnu/openblas-pthread/cblas.h>
