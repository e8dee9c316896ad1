// Direct 2-D convolutions on the nChw8c layout with AVX2 + FMA (see siam_kernels.h).
//
// The output pixels (input pixels, for backward data) are grouped once per shape into
// classes that read the same kernel taps (interior pixels read all K×K; pixels on a padded
// border skip the taps that fall outside the image), so the inner loops never test bounds
// and never read padding. Each class is walked, across a group of images, in tiles of up
// to 6 pixels (5 backward) × 2 channel blocks: 12 (10) accumulators, two weight vectors and
// one broadcast in the 16 AVX2 registers. The weight gradient keeps 2 output blocks × 4
// input channels of one tap in registers while it sweeps the tap's valid outputs.
//
// Every output element is summed in one fixed order (input blocks, taps, the 8 channels of
// a block; for weights, images then output pixels in row-major order), whatever its tile,
// its group or the thread that runs the call.
#include "siam_kernels.h"

#include <immintrin.h>
#include <stdlib.h>

#define TILE 6
#define AVX2 __attribute__((target("avx2,fma")))
#define ALWAYS_INLINE static inline __attribute__((always_inline, target("avx2,fma")))

typedef struct pixel_class {
  int kh0, khn, kw0, kwn;  // taps kh = kh0 + a·step for a < khn, likewise kw (step 1 forward, S backward data)
  int start, count;        // the class's pixels in the offset tables
} pixel_class;

struct siam_conv_plan {
  siam_conv_shape s;
  int oh, ow;
  int forward_classes, data_classes;
  pixel_class *forward, *data;
  int *forward_source, *forward_destination;  // per pixel: offset of tap (0,0) / of the output
  int *data_gradient, *data_destination;      // per input pixel: dY offset at tap (kh0,kw0) / dX offset
  int *oh_lo, *oh_hi, *ow_lo, *ow_hi;         // per tap row / column: the outputs that read inside
};

int siam_conv_kernels_available(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

static int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/// Outputs `o` (of `out`) whose input `o·S − P + k` lies in `0..<in`.
static void valid_range(int k, int in, int out, int S, int P, int *lo, int *hi) {
  int l = floor_div(P - k + S - 1, S);
  int h = floor_div(in - 1 + P - k, S) + 1;
  if (l < 0) l = 0;
  if (h > out) h = out;
  if (h < l) h = l;
  *lo = l;
  *hi = h;
}

/// Groups `n` pixels by their 4-int key (first appearance order) into `classes`, writing
/// each pixel's two offsets in class order. Returns the number of classes.
static int group(int n, const int *keys, const int *first, const int *second, pixel_class *classes, int *out_first,
                 int *out_second) {
  int count = 0, written = 0;
  char *done = calloc((size_t)n, 1);
  for (int p = 0; p < n; p++) {
    if (done[p]) continue;
    const int *k = keys + 4 * p;
    pixel_class c = {k[0], k[1], k[2], k[3], written, 0};
    for (int q = p; q < n; q++) {
      const int *kq = keys + 4 * q;
      if (done[q] || kq[0] != k[0] || kq[1] != k[1] || kq[2] != k[2] || kq[3] != k[3]) continue;
      done[q] = 1;
      out_first[written] = first[q];
      out_second[written] = second[q];
      written++;
      c.count++;
    }
    classes[count++] = c;
  }
  free(done);
  return count;
}

siam_conv_plan *siam_conv_plan_create(siam_conv_shape s) {
  if (s.channels <= 0 || s.channels % 8 || s.filters <= 0 || s.filters % 8 || s.kernel <= 0 || s.stride <= 0 ||
      s.padding < 0 || s.height <= 0 || s.width <= 0)
    return NULL;
  int K = s.kernel, S = s.stride, P = s.padding, H = s.height, W = s.width;
  int OH = (H + 2 * P - K) / S + 1, OW = (W + 2 * P - K) / S + 1;
  if (H + 2 * P < K || W + 2 * P < K || OH <= 0 || OW <= 0) return NULL;
  siam_conv_plan *plan = calloc(1, sizeof *plan);
  plan->s = s;
  plan->oh = OH;
  plan->ow = OW;
  plan->oh_lo = malloc(sizeof(int) * 4 * (size_t)K);
  plan->oh_hi = plan->oh_lo + K;
  plan->ow_lo = plan->oh_lo + 2 * K;
  plan->ow_hi = plan->oh_lo + 3 * K;
  for (int k = 0; k < K; k++) {
    valid_range(k, H, OH, S, P, plan->oh_lo + k, plan->oh_hi + k);
    valid_range(k, W, OW, S, P, plan->ow_lo + k, plan->ow_hi + k);
  }

  int outputs = OH * OW, inputs = H * W, most = outputs > inputs ? outputs : inputs;
  int *keys = malloc(sizeof(int) * 4 * (size_t)most), *a = malloc(sizeof(int) * (size_t)most),
      *b = malloc(sizeof(int) * (size_t)most);
  // Forward: output (y, x) reads input rows y·S − P + kh for the kh whose row is inside.
  for (int y = 0; y < OH; y++)
    for (int x = 0; x < OW; x++) {
      int p = y * OW + x, *k = keys + 4 * p;
      int kh0 = 0, khn = 0, kw0 = 0, kwn = 0;  // the taps inside the image are contiguous
      for (int kh = 0; kh < K; kh++) {
        int iy = y * S - P + kh;
        if (iy < 0 || iy >= H) continue;
        if (!khn) kh0 = kh;
        khn++;
      }
      for (int kw = 0; kw < K; kw++) {
        int ix = x * S - P + kw;
        if (ix < 0 || ix >= W) continue;
        if (!kwn) kw0 = kw;
        kwn++;
      }
      k[0] = kh0;
      k[1] = khn;
      k[2] = kw0;
      k[3] = kwn;
      a[p] = ((y * S - P) * W + (x * S - P)) * 8;
      b[p] = p * 8;
    }
  plan->forward = malloc(sizeof(pixel_class) * (size_t)outputs);
  plan->forward_source = malloc(sizeof(int) * (size_t)outputs);
  plan->forward_destination = malloc(sizeof(int) * (size_t)outputs);
  plan->forward_classes =
      group(outputs, keys, a, b, plan->forward, plan->forward_source, plan->forward_destination);

  // Backward data: input (y, x) receives from output rows (y + P − kh)/S for the kh with
  // y + P − kh ≡ 0 (mod S) and the row inside; those kh step by S.
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      int p = y * W + x, *k = keys + 4 * p;
      int kh0 = 0, khn = 0, kw0 = 0, kwn = 0;
      for (int kh = 0; kh < K; kh++) {
        int t = y + P - kh;
        if (t < 0 || t % S || t / S >= OH) continue;
        if (!khn) kh0 = kh;
        khn++;
      }
      for (int kw = 0; kw < K; kw++) {
        int t = x + P - kw;
        if (t < 0 || t % S || t / S >= OW) continue;
        if (!kwn) kw0 = kw;
        kwn++;
      }
      k[0] = kh0;
      k[1] = khn;
      k[2] = kw0;
      k[3] = kwn;
      a[p] = khn && kwn ? (((y + P - kh0) / S) * OW + (x + P - kw0) / S) * 8 : 0;
      b[p] = p * 8;
    }
  plan->data = malloc(sizeof(pixel_class) * (size_t)inputs);
  plan->data_gradient = malloc(sizeof(int) * (size_t)inputs);
  plan->data_destination = malloc(sizeof(int) * (size_t)inputs);
  plan->data_classes = group(inputs, keys, a, b, plan->data, plan->data_gradient, plan->data_destination);
  free(keys);
  free(a);
  free(b);
  return plan;
}

void siam_conv_plan_destroy(siam_conv_plan *plan) {
  if (!plan) return;
  free(plan->oh_lo);
  free(plan->forward);
  free(plan->forward_source);
  free(plan->forward_destination);
  free(plan->data);
  free(plan->data_gradient);
  free(plan->data_destination);
  free(plan);
}

int siam_conv_plan_out_height(const siam_conv_plan *plan) { return plan->oh; }
int siam_conv_plan_out_width(const siam_conv_plan *plan) { return plan->ow; }

// MARK: Weight layouts

void siam_conv_reorder_forward_weights(const siam_conv_plan *plan, const float *oihw, float *blocked) {
  int C = plan->s.channels, F = plan->s.filters, K = plan->s.kernel;
  for (int o = 0; o < F; o++)
    for (int i = 0; i < C; i++)
      for (int t = 0; t < K * K; t++)
        blocked[(((size_t)(o / 8) * (C / 8) + i / 8) * K * K + t) * 64 + (i % 8) * 8 + o % 8] =
            oihw[((size_t)o * C + i) * K * K + t];
}

void siam_conv_reorder_data_weights(const siam_conv_plan *plan, const float *oihw, float *blocked) {
  int C = plan->s.channels, F = plan->s.filters, K = plan->s.kernel;
  for (int o = 0; o < F; o++)
    for (int i = 0; i < C; i++)
      for (int t = 0; t < K * K; t++)
        blocked[(((size_t)(i / 8) * (F / 8) + o / 8) * K * K + t) * 64 + (o % 8) * 8 + i % 8] =
            oihw[((size_t)o * C + i) * K * K + t];
}

void siam_conv_reorder_weight_gradient(const siam_conv_plan *plan, const float *blocked, float *oihw) {
  int C = plan->s.channels, F = plan->s.filters, K = plan->s.kernel;
  for (int o = 0; o < F; o++)
    for (int i = 0; i < C; i++)
      for (int t = 0; t < K * K; t++)
        oihw[((size_t)o * C + i) * K * K + t] =
            blocked[(((size_t)(o / 8) * (C / 8) + i / 8) * K * K + t) * 64 + (i % 8) * 8 + o % 8];
}

// MARK: Forward

/// UR pixels of one class × OB output blocks: Σ over input blocks, taps and the 8 input
/// channels of a block, in that order.
ALWAYS_INLINE void forward_tile(const int UR, const int OB, const float *restrict x, const int *restrict src,
                                int blocks, int plane, int row, const float *restrict w, int w_block, int K,
                                const pixel_class *c, float *restrict y, int y_block, const int *restrict dst) {
  __m256 acc[2][TILE];
  for (int o = 0; o < OB; o++)
    for (int u = 0; u < UR; u++) acc[o][u] = _mm256_setzero_ps();
  const float *xp[TILE];
  for (int u = 0; u < UR; u++) xp[u] = x + src[u];
  for (int ib = 0; ib < blocks; ib++) {
    for (int kh = c->kh0; kh < c->kh0 + c->khn; kh++)
      for (int kw = c->kw0; kw < c->kw0 + c->kwn; kw++) {
        const int t = ib * plane + kh * row + kw * 8;
        const float *wt = w + ((ib * K + kh) * K + kw) * 64;
        for (int i = 0; i < 8; i++) {
          __m256 wv[2];
          for (int o = 0; o < OB; o++) wv[o] = _mm256_loadu_ps(wt + o * w_block + i * 8);
          for (int u = 0; u < UR; u++) {
            const __m256 v = _mm256_broadcast_ss(xp[u] + t + i);
            for (int o = 0; o < OB; o++) acc[o][u] = _mm256_fmadd_ps(wv[o], v, acc[o][u]);
          }
        }
      }
  }
  for (int o = 0; o < OB; o++)
    for (int u = 0; u < UR; u++) _mm256_storeu_ps(y + o * y_block + dst[u], acc[o][u]);
}

/// Images walked together: as many as fit in 256 KiB (half of a Zen 3 core's L2) at
/// `image` floats each, at least one.
static int sweep_images(int image) {
  const int fit = (256 * 1024 / 4) / image;
  return fit > 1 ? fit : 1;
}

/// The offsets of tile `j` of a class walked across `images` images (entry `j + u` is pixel
/// `(j + u) mod count` of image `(j + u) / count`): small planes still fill whole tiles.
ALWAYS_INLINE int gather_tile(const pixel_class *c, int j, int total, int tile, const int *first, int first_image,
                              const int *second, int second_image, int *out_first, int *out_second) {
  const int ur = total - j < tile ? total - j : tile;
  for (int u = 0; u < ur; u++) {
    const int n = (j + u) / c->count, p = c->start + (j + u) % c->count;
    out_first[u] = n * first_image + first[p];
    out_second[u] = n * second_image + second[p];
  }
  return ur;
}

#define FORWARD_TILE(UR, OB) \
  forward_tile(UR, OB, x, src, blocks, plane, row, w, w_block, K, c, y, y_block, dst)
#define FORWARD_TILES(OB)                                                                                \
  for (int j = 0; j < total; j += TILE) {                                                                \
    switch (gather_tile(c, j, total, TILE, plan->forward_source, in_image, plan->forward_destination,   \
                        out_image, src, dst)) {                                                          \
      case 6: FORWARD_TILE(6, OB); break;                                                                \
      case 5: FORWARD_TILE(5, OB); break;                                                                \
      case 4: FORWARD_TILE(4, OB); break;                                                                \
      case 3: FORWARD_TILE(3, OB); break;                                                                \
      case 2: FORWARD_TILE(2, OB); break;                                                                \
      case 1: FORWARD_TILE(1, OB); break;                                                                \
    }                                                                                                    \
  }

AVX2 void siam_conv_forward(const siam_conv_plan *plan, int images, const float *source, const float *weights,
                            float *destination) {
  const siam_conv_shape s = plan->s;
  const int K = s.kernel, blocks = s.channels / 8, out_blocks = s.filters / 8;
  const int plane = s.height * s.width * 8, row = s.width * 8, y_block = plan->oh * plan->ow * 8;
  const int w_block = blocks * K * K * 64, in_image = blocks * plane, out_image = out_blocks * y_block;
  int src[TILE], dst[TILE];
  // Images in groups whose input fits in half of L2; per group, output block pairs (their
  // weights stay in cache), then each class of pixels across the group's images, so that
  // small planes still fill whole tiles. A pixel's sum runs in the same order whatever
  // its tile or group.
  const int group = sweep_images(in_image);
  for (int n0 = 0; n0 < images; n0 += group) {
    const int count = images - n0 < group ? images - n0 : group;
    const float *x = source + (size_t)n0 * in_image;
    for (int ob = 0; ob < out_blocks; ob += 2) {
      const float *w = weights + (size_t)ob * w_block;
      float *y = destination + (size_t)n0 * out_image + (size_t)ob * y_block;
      const int pair = ob + 1 < out_blocks;
      for (int k = 0; k < plan->forward_classes; k++) {
        const pixel_class *c = plan->forward + k;
        const int total = count * c->count;
        if (pair) {
          FORWARD_TILES(2)
        } else {
          FORWARD_TILES(1)
        }
      }
    }
  }
}

// MARK: Backward data

/// UR input pixels of one class × IB input blocks: Σ over output blocks, the class's taps
/// and the 8 output channels of a block, in that order.
ALWAYS_INLINE void data_tile(const int UR, const int IB, const float *restrict dy, const int *restrict src,
                             int out_blocks, int out_plane, int out_row, int S, const float *restrict w,
                             int w_block, int K, const pixel_class *c, float *restrict dx, int x_block,
                             const int *restrict dst) {
  __m256 acc[2][TILE];
  for (int i = 0; i < IB; i++)
    for (int u = 0; u < UR; u++) acc[i][u] = _mm256_setzero_ps();
  const float *dp[TILE];
  for (int u = 0; u < UR; u++) dp[u] = dy + src[u];
  for (int ob = 0; ob < out_blocks; ob++) {
    for (int a = 0; a < c->khn; a++)
      for (int b = 0; b < c->kwn; b++) {
        const int kh = c->kh0 + a * S, kw = c->kw0 + b * S;
        const int t = ob * out_plane - a * out_row - b * 8;
        const float *wt = w + ((ob * K + kh) * K + kw) * 64;
        for (int o = 0; o < 8; o++) {
          __m256 wv[2];
          for (int i = 0; i < IB; i++) wv[i] = _mm256_loadu_ps(wt + i * w_block + o * 8);
          for (int u = 0; u < UR; u++) {
            const __m256 v = _mm256_broadcast_ss(dp[u] + t + o);
            for (int i = 0; i < IB; i++) acc[i][u] = _mm256_fmadd_ps(wv[i], v, acc[i][u]);
          }
        }
      }
  }
  for (int i = 0; i < IB; i++)
    for (int u = 0; u < UR; u++) _mm256_storeu_ps(dx + i * x_block + dst[u], acc[i][u]);
}

#define DATA_TILE 5
#define DATA_TILE_CALL(UR, IB) \
  data_tile(UR, IB, dy, src, out_blocks, out_plane, out_row, S, w, w_block, K, c, dx, x_block, dst)
#define DATA_TILES(IB)                                                                                     \
  for (int j = 0; j < total; j += DATA_TILE) {                                                             \
    switch (gather_tile(c, j, total, DATA_TILE, plan->data_gradient, out_image, plan->data_destination,   \
                        in_image, src, dst)) {                                                             \
      case 5: DATA_TILE_CALL(5, IB); break;                                                                \
      case 4: DATA_TILE_CALL(4, IB); break;                                                                \
      case 3: DATA_TILE_CALL(3, IB); break;                                                                \
      case 2: DATA_TILE_CALL(2, IB); break;                                                                \
      case 1: DATA_TILE_CALL(1, IB); break;                                                                \
    }                                                                                                      \
  }

AVX2 void siam_conv_backward_data(const siam_conv_plan *plan, int images, const float *destination_gradient,
                                  const float *data_weights, float *source_gradient) {
  const siam_conv_shape s = plan->s;
  const int K = s.kernel, S = s.stride, blocks = s.channels / 8, out_blocks = s.filters / 8;
  const int x_block = s.height * s.width * 8, out_plane = plan->oh * plan->ow * 8, out_row = plan->ow * 8;
  const int w_block = out_blocks * K * K * 64, in_image = blocks * x_block, out_image = out_blocks * out_plane;
  int src[DATA_TILE], dst[DATA_TILE];
  // As forward: groups of images whose output gradient fits in half of L2, input block
  // pairs, then each class of input pixels across the group (a class no output reads,
  // possible when the stride exceeds the kernel, stores zeros).
  const int group = sweep_images(out_image);
  for (int n0 = 0; n0 < images; n0 += group) {
    const int count = images - n0 < group ? images - n0 : group;
    const float *dy = destination_gradient + (size_t)n0 * out_image;
    for (int ib = 0; ib < blocks; ib += 2) {
      const float *w = data_weights + (size_t)ib * w_block;
      float *dx = source_gradient + (size_t)n0 * in_image + (size_t)ib * x_block;
      const int pair = ib + 1 < blocks;
      for (int k = 0; k < plan->data_classes; k++) {
        const pixel_class *c = plan->data + k;
        const int total = count * c->count;
        if (pair) {
          DATA_TILES(2)
        } else {
          DATA_TILES(1)
        }
      }
    }
  }
}

// MARK: Backward weights

/// dW[ob..ob+OB][ib][kh][kw][i0..i0+4][:] += Σ over the tap's valid outputs (row-major)
/// of x[ib][input pixel][i0 + j] · dY[ob + o][output pixel].
ALWAYS_INLINE void weight_tile(const int OB, const float *restrict x, const float *restrict dy, int out_plane,
                               int OW, int W, int S, int ylo, int yhi, int xlo, int xhi, int in_offset,
                               float *restrict dw, int dw_block) {
  __m256 acc[2][4];
  for (int o = 0; o < OB; o++)
    for (int j = 0; j < 4; j++) acc[o][j] = _mm256_loadu_ps(dw + o * dw_block + j * 8);
  for (int y = ylo; y < yhi; y++) {
    const float *xr = x + in_offset + (y * S * W + xlo * S) * 8;
    const float *dr = dy + (y * OW + xlo) * 8;
    for (int q = 0; q < xhi - xlo; q++) {
      __m256 g[2];
      for (int o = 0; o < OB; o++) g[o] = _mm256_loadu_ps(dr + o * out_plane + q * 8);
      for (int j = 0; j < 4; j++) {
        const __m256 v = _mm256_broadcast_ss(xr + q * S * 8 + j);
        for (int o = 0; o < OB; o++) acc[o][j] = _mm256_fmadd_ps(g[o], v, acc[o][j]);
      }
    }
  }
  for (int o = 0; o < OB; o++)
    for (int j = 0; j < 4; j++) _mm256_storeu_ps(dw + o * dw_block + j * 8, acc[o][j]);
}

AVX2 void siam_conv_backward_weights(const siam_conv_plan *plan, int images, const float *source,
                                     const float *destination_gradient, float *weight_gradient) {
  const siam_conv_shape s = plan->s;
  const int K = s.kernel, S = s.stride, P = s.padding, W = s.width;
  const int blocks = s.channels / 8, out_blocks = s.filters / 8;
  const int plane = s.height * s.width * 8, out_plane = plan->oh * plan->ow * 8, OW = plan->ow;
  const int dw_block = blocks * K * K * 64;
  for (int n = 0; n < images; n++) {
    const float *x = source + (size_t)n * blocks * plane;
    const float *dy = destination_gradient + (size_t)n * out_blocks * out_plane;
    for (int ob = 0; ob < out_blocks; ob += 2) {
      const int pair = ob + 1 < out_blocks;
      for (int ib = 0; ib < blocks; ib++)
        for (int kh = 0; kh < K; kh++)
          for (int kw = 0; kw < K; kw++) {
            const int ylo = plan->oh_lo[kh], yhi = plan->oh_hi[kh], xlo = plan->ow_lo[kw], xhi = plan->ow_hi[kw];
            if (ylo >= yhi || xlo >= xhi) continue;
            const int in_offset = ib * plane + ((kh - P) * W + (kw - P)) * 8;
            for (int i0 = 0; i0 < 8; i0 += 4) {
              float *dw = weight_gradient + (size_t)ob * dw_block + ((ib * K + kh) * K + kw) * 64 + i0 * 8;
              if (pair)
                weight_tile(2, x, dy + (size_t)ob * out_plane, out_plane, OW, W, S, ylo, yhi, xlo, xhi,
                            in_offset + i0, dw, dw_block);
              else
                weight_tile(1, x, dy + (size_t)ob * out_plane, out_plane, OW, W, S, ylo, yhi, xlo, xhi,
                            in_offset + i0, dw, dw_block);
            }
          }
    }
  }
}

// MARK: Layout conversions

/// Transposes the 8×8 block at `in` (rows `in_stride` apart) into `out` (rows
/// `out_stride` apart).
ALWAYS_INLINE void transpose8(const float *in, int in_stride, float *out, int out_stride) {
  __m256 r[8], t[8];
  for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(in + (size_t)i * in_stride);
  t[0] = _mm256_unpacklo_ps(r[0], r[1]);
  t[1] = _mm256_unpackhi_ps(r[0], r[1]);
  t[2] = _mm256_unpacklo_ps(r[2], r[3]);
  t[3] = _mm256_unpackhi_ps(r[2], r[3]);
  t[4] = _mm256_unpacklo_ps(r[4], r[5]);
  t[5] = _mm256_unpackhi_ps(r[4], r[5]);
  t[6] = _mm256_unpacklo_ps(r[6], r[7]);
  t[7] = _mm256_unpackhi_ps(r[6], r[7]);
  r[0] = _mm256_shuffle_ps(t[0], t[2], 0x44);
  r[1] = _mm256_shuffle_ps(t[0], t[2], 0xEE);
  r[2] = _mm256_shuffle_ps(t[1], t[3], 0x44);
  r[3] = _mm256_shuffle_ps(t[1], t[3], 0xEE);
  r[4] = _mm256_shuffle_ps(t[4], t[6], 0x44);
  r[5] = _mm256_shuffle_ps(t[4], t[6], 0xEE);
  r[6] = _mm256_shuffle_ps(t[5], t[7], 0x44);
  r[7] = _mm256_shuffle_ps(t[5], t[7], 0xEE);
  for (int i = 0; i < 4; i++) {
    _mm256_storeu_ps(out + (size_t)i * out_stride, _mm256_permute2f128_ps(r[i], r[i + 4], 0x20));
    _mm256_storeu_ps(out + (size_t)(i + 4) * out_stride, _mm256_permute2f128_ps(r[i], r[i + 4], 0x31));
  }
}

AVX2 void siam_to_blocked(int images, int channels, int plane, const float *plain, float *blocked) {
  const int blocks = channels / 8;
  for (int n = 0; n < images; n++)
    for (int b = 0; b < blocks; b++) {
      const float *from = plain + ((size_t)n * channels + (size_t)b * 8) * plane;
      float *to = blocked + ((size_t)n * blocks + b) * plane * 8;
      int t = 0;
      for (; t + 8 <= plane; t += 8) transpose8(from + t, plane, to + (size_t)t * 8, 8);
      for (; t < plane; t++)
        for (int lane = 0; lane < 8; lane++) to[(size_t)t * 8 + lane] = from[(size_t)lane * plane + t];
    }
}

AVX2 void siam_to_plain(int images, int channels, int plane, const float *blocked, float *plain) {
  const int blocks = channels / 8;
  for (int n = 0; n < images; n++)
    for (int b = 0; b < blocks; b++) {
      const float *from = blocked + ((size_t)n * blocks + b) * plane * 8;
      float *to = plain + ((size_t)n * channels + (size_t)b * 8) * plane;
      int t = 0;
      for (; t + 8 <= plane; t += 8) transpose8(from + (size_t)t * 8, 8, to + t, plane);
      for (; t < plane; t++)
        for (int lane = 0; lane < 8; lane++) to[(size_t)lane * plane + t] = from[(size_t)t * 8 + lane];
    }
}
