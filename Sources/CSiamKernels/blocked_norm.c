// Batch norm + ReLU passes of the convolution stacks on nChw8c, with AVX2 (see
// siam_kernels.h). Each computes exactly what SiamTensor's BlockedKernel (Swift, baseline
// SSE2) computes, in the same order and with separate multiplies and adds (this file is
// built with -ffp-contract=off), so the two give the same bits: only the speed depends on
// the CPU.
#include "siam_kernels.h"

#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))

/// `g` with zeros where `v ≤ 0` (a NaN keeps `g`, as Swift's `.<=` does).
#define MASKED(g, v) _mm256_andnot_ps(_mm256_cmp_ps((v), _mm256_setzero_ps(), _CMP_LE_OQ), (g))
/// `x·k + m`, the value whose ReLU the forward pass took: `max(0, v) ≤ 0` exactly where
/// `v ≤ 0` (−0 and +0 included, NaN in neither), so masking with `v` masks as that ReLU
/// output would, without it.
#define PRE_RELU(x, k, m) _mm256_add_ps(_mm256_mul_ps((x), (k)), (m))

AVX2 void siam_blocked_channel_sums(int images, int blocks, int plane, const float *x, const float *gradient,
                                    const float *scale, const float *shift, const float *pivot, double *first,
                                    double *second) {
  const int end = plane * 8, pairs = end & ~15;
  for (int n = 0; n < images; n++)
    for (int b = 0; b < blocks; b++) {
      const __m256 center = _mm256_loadu_ps(pivot + b * 8);
      const size_t base = ((size_t)n * blocks + b) * (size_t)end;
      const float *xb = x + base;
      __m256 s1 = _mm256_setzero_ps(), s2 = s1, u1 = s1, u2 = s1;
      if (gradient && scale && shift) {
        const float *g = gradient + base;
        const __m256 k = _mm256_loadu_ps(scale + b * 8), m = _mm256_loadu_ps(shift + b * 8);
        int t = 0;
        for (; t < pairs; t += 16) {
          const __m256 xa = _mm256_loadu_ps(xb + t), xc = _mm256_loadu_ps(xb + t + 8);
          const __m256 ga = MASKED(_mm256_loadu_ps(g + t), PRE_RELU(xa, k, m));
          const __m256 gb = MASKED(_mm256_loadu_ps(g + t + 8), PRE_RELU(xc, k, m));
          s1 = _mm256_add_ps(s1, ga);
          u1 = _mm256_add_ps(u1, gb);
          s2 = _mm256_add_ps(s2, _mm256_mul_ps(ga, _mm256_sub_ps(xa, center)));
          u2 = _mm256_add_ps(u2, _mm256_mul_ps(gb, _mm256_sub_ps(xc, center)));
        }
        if (t < end) {
          const __m256 xa = _mm256_loadu_ps(xb + t);
          const __m256 ga = MASKED(_mm256_loadu_ps(g + t), PRE_RELU(xa, k, m));
          s1 = _mm256_add_ps(s1, ga);
          s2 = _mm256_add_ps(s2, _mm256_mul_ps(ga, _mm256_sub_ps(xa, center)));
        }
      } else if (gradient) {
        const float *g = gradient + base;
        for (int t = 0; t < end; t += 8) {
          const __m256 ga = _mm256_loadu_ps(g + t);
          s1 = _mm256_add_ps(s1, ga);
          s2 = _mm256_add_ps(s2, _mm256_mul_ps(ga, _mm256_sub_ps(_mm256_loadu_ps(xb + t), center)));
        }
      } else {
        int t = 0;
        for (; t < pairs; t += 16) {
          const __m256 da = _mm256_sub_ps(_mm256_loadu_ps(xb + t), center);
          const __m256 db = _mm256_sub_ps(_mm256_loadu_ps(xb + t + 8), center);
          s1 = _mm256_add_ps(s1, da);
          u1 = _mm256_add_ps(u1, db);
          s2 = _mm256_add_ps(s2, _mm256_mul_ps(da, da));
          u2 = _mm256_add_ps(u2, _mm256_mul_ps(db, db));
        }
        if (t < end) {
          const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(xb + t), center);
          s1 = _mm256_add_ps(s1, d);
          s2 = _mm256_add_ps(s2, _mm256_mul_ps(d, d));
        }
      }
      float f1[8], f2[8];
      _mm256_storeu_ps(f1, _mm256_add_ps(s1, u1));
      _mm256_storeu_ps(f2, _mm256_add_ps(s2, u2));
      for (int lane = 0; lane < 8; lane++) {
        first[b * 8 + lane] += (double)f1[lane];
        second[b * 8 + lane] += (double)f2[lane];
      }
    }
}

AVX2 void siam_blocked_scale_shift_relu(int images, int blocks, int plane, const float *x, const float *scale,
                                        const float *shift, float *output) {
  const int end = plane * 8;
  for (int n = 0; n < images; n++)
    for (int b = 0; b < blocks; b++) {
      const size_t base = ((size_t)n * blocks + b) * (size_t)end;
      const __m256 k = _mm256_loadu_ps(scale + b * 8), m = _mm256_loadu_ps(shift + b * 8);
      for (int t = 0; t < end; t += 8) {
        const __m256 v = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(x + base + t), k), m);
        // max(0, v) as Swift's replace(with: 0, where: v < 0): NaN and −0 pass through.
        _mm256_storeu_ps(output + base + t, _mm256_andnot_ps(_mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ), v));
      }
    }
}

AVX2 void siam_blocked_masked_affine_gradient(int images, int blocks, int plane, const float *gradient,
                                              const float *scale, const float *shift, const float *x, const float *a,
                                              const float *b, const float *k, float *output) {
  const int end = plane * 8;
  for (int n = 0; n < images; n++)
    for (int block = 0; block < blocks; block++) {
      const size_t base = ((size_t)n * blocks + block) * (size_t)end;
      const __m256 ga = _mm256_loadu_ps(a + block * 8), xb = _mm256_loadu_ps(b + block * 8);
      const __m256 kk = _mm256_loadu_ps(k + block * 8);
      const __m256 sk = _mm256_loadu_ps(scale + block * 8), sm = _mm256_loadu_ps(shift + block * 8);
      for (int t = 0; t < end; t += 8) {
        const __m256 xv = _mm256_loadu_ps(x + base + t);
        const __m256 g = MASKED(_mm256_loadu_ps(gradient + base + t), PRE_RELU(xv, sk, sm));
        const __m256 affine = _mm256_add_ps(_mm256_mul_ps(xv, xb), kk);
        _mm256_storeu_ps(output + base + t, _mm256_add_ps(_mm256_mul_ps(g, ga), affine));
      }
    }
}

// MARK: First-layer weight gradient

AVX2 void siam_plain_source_weight_gradient(int images, int channels, int padded_height, int padded_width, int kernel,
                                            int stride, int out_height, int out_width, int blocks,
                                            const float *padded, const float *output_gradient, float *weights,
                                            float *accumulators) {
  const int taps = channels * kernel * kernel, plane = out_height * out_width;
  const size_t padded_image = (size_t)channels * padded_height * padded_width;
  for (int b = 0; b < blocks; b++) {
    __m256 *acc = (__m256 *)accumulators;  // taps vectors, 32-byte aligned by the caller
    if (channels == 1 && kernel == 3) {
      // Nine eight-filter accumulators in registers (the convnet's first layer).
      __m256 a[9];
      for (int t = 0; t < 9; t++) a[t] = _mm256_setzero_ps();
      for (int n = 0; n < images; n++) {
        const float *image = padded + (size_t)n * padded_image;
        const float *gradient = output_gradient + ((size_t)n * blocks + b) * plane * 8;
        for (int oy = 0; oy < out_height; oy++) {
          const float *row0 = image + (size_t)oy * stride * padded_width, *row1 = row0 + padded_width,
                      *row2 = row1 + padded_width;
          const float *g_row = gradient + (size_t)oy * out_width * 8;
          for (int ox = 0; ox < out_width; ox++) {
            const __m256 g = _mm256_loadu_ps(g_row + ox * 8);
            const int x = ox * stride;
            a[0] = _mm256_add_ps(a[0], _mm256_mul_ps(g, _mm256_set1_ps(row0[x])));
            a[1] = _mm256_add_ps(a[1], _mm256_mul_ps(g, _mm256_set1_ps(row0[x + 1])));
            a[2] = _mm256_add_ps(a[2], _mm256_mul_ps(g, _mm256_set1_ps(row0[x + 2])));
            a[3] = _mm256_add_ps(a[3], _mm256_mul_ps(g, _mm256_set1_ps(row1[x])));
            a[4] = _mm256_add_ps(a[4], _mm256_mul_ps(g, _mm256_set1_ps(row1[x + 1])));
            a[5] = _mm256_add_ps(a[5], _mm256_mul_ps(g, _mm256_set1_ps(row1[x + 2])));
            a[6] = _mm256_add_ps(a[6], _mm256_mul_ps(g, _mm256_set1_ps(row2[x])));
            a[7] = _mm256_add_ps(a[7], _mm256_mul_ps(g, _mm256_set1_ps(row2[x + 1])));
            a[8] = _mm256_add_ps(a[8], _mm256_mul_ps(g, _mm256_set1_ps(row2[x + 2])));
          }
        }
      }
      for (int t = 0; t < 9; t++) acc[t] = a[t];
    } else {
      for (int t = 0; t < taps; t++) acc[t] = _mm256_setzero_ps();
      for (int n = 0; n < images; n++) {
        const float *image = padded + (size_t)n * padded_image;
        const float *gradient = output_gradient + ((size_t)n * blocks + b) * plane * 8;
        for (int oy = 0; oy < out_height; oy++)
          for (int ox = 0; ox < out_width; ox++) {
            const __m256 g = _mm256_loadu_ps(gradient + ((size_t)oy * out_width + ox) * 8);
            int t = 0;
            for (int c = 0; c < channels; c++) {
              const float *window =
                  image + ((size_t)c * padded_height + (size_t)oy * stride) * padded_width + (size_t)ox * stride;
              for (int i = 0; i < kernel; i++)
                for (int j = 0; j < kernel; j++, t++)
                  acc[t] = _mm256_add_ps(acc[t], _mm256_mul_ps(g, _mm256_set1_ps(window[i * padded_width + j])));
            }
          }
      }
    }
    for (int lane = 0; lane < 8; lane++) {
      float *row = weights + ((size_t)b * 8 + lane) * taps;
      for (int t = 0; t < taps; t++) row[t] += accumulators[t * 8 + lane];
    }
  }
}
