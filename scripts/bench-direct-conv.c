// Siam's direct nChw8c convolutions (Sources/CSiamKernels), one thread, on the convnet's
// two stride-2 layers (16-image chunks over a batch of 256) and, with `resnet`, on
// ResNet-18's 3×3 layers after the stem (the chunks `conv2d` cuts, over a batch of 128), as
// a training step calls them, for BENCHMARKS.md § Training steps:
//
//   clang -O3 -ffp-contract=off -ISources/CSiamKernels/include scripts/bench-direct-conv.c \
//     Sources/CSiamKernels/conv_blocked.c -o /tmp/bench-direct-conv
//   /tmp/bench-direct-conv [convnet|resnet] [BATCH]
//
// BATCH (default 256 for the convnet, 128 for ResNet-18) sets how many images each pass
// walks: 16, one chunk walked again and again, keeps the data in L3; 256 streams it from
// memory, as a training step does.
//
// Prints GFLOP/s (2 × the shape's multiply-adds, padding taps included, as oneDNN's
// verbose times are counted by scripts/onednn-primitive-times.py) of forward, backward data
// and backward weights, the best and the median of 9 passes over the batch.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "siam_kernels.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void bench(int channels, int filters, int size, int stride, int BATCH, int CHUNK) {
  enum { PASSES = 9 };
  siam_conv_shape shape = {channels, size, size, filters, 3, stride, 1};
  siam_conv_plan *plan = siam_conv_plan_create(shape);
  int out = siam_conv_plan_out_height(plan);
  size_t in_image = (size_t)channels * size * size, out_image = (size_t)filters * out * out;
  size_t weights = (size_t)filters * channels * 9;
  float *x = aligned_alloc(64, BATCH * in_image * 4), *y = aligned_alloc(64, BATCH * out_image * 4);
  float *w = aligned_alloc(64, weights * 4), *dw = aligned_alloc(64, weights * 4);
  for (size_t i = 0; i < BATCH * in_image; i++) x[i] = rand() / (float)RAND_MAX - 0.5f;
  for (size_t i = 0; i < BATCH * out_image; i++) y[i] = rand() / (float)RAND_MAX - 0.5f;
  for (size_t i = 0; i < weights; i++) w[i] = dw[i] = rand() / (float)RAND_MAX - 0.5f;
#define part(n) (BATCH - (n) < CHUNK ? BATCH - (n) : CHUNK)
  double flops = 2.0 * BATCH * filters * out * out * channels * 9, times[3][PASSES];
  for (int pass = 0; pass < PASSES; pass++) {
    double t0 = now();
    for (int n = 0; n < BATCH; n += CHUNK) siam_conv_forward(plan, part(n), x + n * in_image, w, y + n * out_image);
    double t1 = now();
    for (int n = 0; n < BATCH; n += CHUNK) siam_conv_backward_data(plan, part(n), y + n * out_image, w, x + n * in_image);
    double t2 = now();
    for (int n = 0; n < BATCH; n += CHUNK)
      siam_conv_backward_weights(plan, part(n), x + n * in_image, y + n * out_image, dw);
    double t3 = now();
    times[0][pass] = t1 - t0;
    times[1][pass] = t2 - t1;
    times[2][pass] = t3 - t2;
  }
  const char *names[3] = {"forward", "backward data", "backward weights"};
  for (int k = 0; k < 3; k++) {
    qsort(times[k], PASSES, sizeof(double), compare);
    printf("%3d→%-3d %2d×%-2d s%d  %-16s best %5.1f  median %5.1f GFLOP/s\n", channels, filters, size, size, stride, names[k],
           flops / times[k][0] * 1e-9, flops / times[k][PASSES / 2] * 1e-9);
  }
  siam_conv_plan_destroy(plan);
  free(x);
  free(y);
  free(w);
  free(dw);
}

int main(int argc, char **argv) {
  if (!siam_conv_kernels_available()) {
    fprintf(stderr, "this CPU has no AVX2 + FMA\n");
    return 1;
  }
  const int resnet = argc > 1 && !strcmp(argv[1], "resnet");
  const int batch = argc > 2 ? atoi(argv[2]) : resnet ? 128 : 256;
  if (batch < 1) {
    fprintf(stderr, "BATCH must be a positive number of images, got '%s'\n", argv[2]);
    return 1;
  }
  if (resnet) {
    // conv2d's chunks: ConvGeometry.imagesPerChunk, 512 output columns a chunk.
    bench(64, 64, 32, 1, batch, 1);
    bench(64, 128, 32, 2, batch, 2);
    bench(128, 128, 16, 1, batch, 2);
    bench(128, 256, 16, 2, batch, 8);
    bench(256, 256, 8, 1, batch, 8);
    bench(256, 512, 8, 2, batch, 32);
    bench(512, 512, 4, 1, batch, 32);
  } else {
    bench(32, 64, 28, 2, batch, 16);
    bench(64, 128, 14, 2, batch, 16);
  }
  return 0;
}
