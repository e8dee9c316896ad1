// Siam's own direct convolution kernels on the blocked nChw8c layout (AVX2 + FMA).
//
// Layouts (8 = the channel block, one AVX2 register of floats):
// - activations: [images][channels/8][height][width][8], no padding stored;
// - forward weights: [filters/8][channels/8][K][K][8 in][8 out];
// - backward-data weights: [channels/8][filters/8][K][K][8 out][8 in];
// - weight gradients: the forward weights' layout.
// Every function walks its work in one fixed order, so the same call gives the same bits
// on any thread; callers spread whole calls (chunks of images) over their threads.
#ifndef SIAM_KERNELS_H
#define SIAM_KERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct siam_conv_shape {
  int channels, height, width, filters, kernel, stride, padding;
} siam_conv_shape;

/// The precomputed pixel tables of one shape (opaque; create once, share across threads).
typedef struct siam_conv_plan siam_conv_plan;

/// 1 when this CPU runs the kernels (AVX2 and FMA), else 0.
int siam_conv_kernels_available(void);

/// NULL when the shape is not supported: channels and filters must be multiples of 8,
/// sizes positive, the output non-empty.
siam_conv_plan *siam_conv_plan_create(siam_conv_shape shape);
void siam_conv_plan_destroy(siam_conv_plan *plan);
int siam_conv_plan_out_height(const siam_conv_plan *plan);
int siam_conv_plan_out_width(const siam_conv_plan *plan);

/// `weights` OIHW → the forward layout, and → the backward-data layout.
void siam_conv_reorder_forward_weights(const siam_conv_plan *plan, const float *oihw, float *blocked);
void siam_conv_reorder_data_weights(const siam_conv_plan *plan, const float *oihw, float *blocked);
/// A weight gradient in the forward layout → OIHW.
void siam_conv_reorder_weight_gradient(const siam_conv_plan *plan, const float *blocked, float *oihw);

/// `destination = conv(source, weights)` for `images` images.
void siam_conv_forward(
    const siam_conv_plan *plan, int images, const float *source, const float *weights, float *destination);

/// `source_gradient = conv_transpose(destination_gradient, data_weights)` (overwrites).
void siam_conv_backward_data(
    const siam_conv_plan *plan, int images, const float *destination_gradient, const float *data_weights,
    float *source_gradient);

/// `weight_gradient += Σ over the images of source ⋆ destination_gradient` (accumulates,
/// image after image, into the forward layout).
void siam_conv_backward_weights(
    const siam_conv_plan *plan, int images, const float *source, const float *destination_gradient,
    float *weight_gradient);

/// Plain NCHW → nChw8c, and back, for `images` images of `channels` (a multiple of 8)
/// planes of `plane` pixels each.
void siam_to_blocked(int images, int channels, int plane, const float *plain, float *blocked);
void siam_to_plain(int images, int channels, int plane, const float *blocked, float *plain);

// Batch norm + ReLU passes on nChw8c (`blocks` channel blocks of `plane` pixels per image),
// bit-identical to SiamTensor's BlockedKernel: `channel sums` adds Σd, Σd² (d = x − pivot)
// or, with a gradient, Σg, Σg·d (g zeroed where the ReLU output max(0, x·scale + shift) is
// ≤ 0 when `scale` and `shift` are given) into `first`/`second`; `scale shift relu` writes
// max(0, x·scale + shift); `masked affine gradient` writes (g masked so)·a + (x·b + k).
// Per-channel vectors hold 8 floats per block.
void siam_blocked_channel_sums(int images, int blocks, int plane, const float *x, const float *gradient,
                               const float *scale, const float *shift, const float *pivot, double *first,
                               double *second);
void siam_blocked_scale_shift_relu(int images, int blocks, int plane, const float *x, const float *scale,
                                   const float *shift, float *output);
void siam_blocked_masked_affine_gradient(int images, int blocks, int plane, const float *gradient,
                                         const float *scale, const float *shift, const float *x, const float *a,
                                         const float *b, const float *k, float *output);

/// `weights` (plain OIHW, `blocks`·8 filters) += the weight gradient of a first layer
/// whose source is plain NCHW, given `padded` images (zero-padded planes of
/// `padded_height` × `padded_width`) and an nChw8c output gradient; `accumulators` is
/// scratch for `channels·kernel²` vectors of 8 floats, 32-byte aligned. Bit-identical to
/// BlockedKernel.plainSourceWeightGradient's Swift loops.
void siam_plain_source_weight_gradient(int images, int channels, int padded_height, int padded_width, int kernel,
                                       int stride, int out_height, int out_width, int blocks, const float *padded,
                                       const float *output_gradient, float *weights, float *accumulators);

#ifdef __cplusplus
}
#endif

#endif
