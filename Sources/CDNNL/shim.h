// oneDNN 2.x (Debian's libdnnl-dev 2.6): the C API with operation descriptors. Only
// SiamTensor's OneDNN.swift uses it (3.x renamed the descriptor calls).
#include <oneapi/dnnl/dnnl.h>

// libdnnl is built on OpenMP (libgomp). Siam calls oneDNN from its own threads, each call
// on one fixed chunk of images with one OpenMP thread (see OneDNN.swift).
void omp_set_num_threads(int);
