// Single-thread OpenBLAS sgemm on the matrix shapes the convnet's two stride-2 layers would
// need as im2col + sgemm on a 16-image chunk (forward, weight gradient, input gradient),
// for BENCHMARKS.md § Training steps ("What did not help enough to keep"):
//
//   gcc -O2 scripts/bench-sgemm-shapes.c -o /tmp/bench-sgemm-shapes -lopenblas
//   OPENBLAS_CORETYPE=Haswell /tmp/bench-sgemm-shapes
//
// Prints the best and the mean of 30 calls per shape (warm caches, no im2col).
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
void run(const char*name,int ta,int tb,int M,int N,int K){
  float*A=malloc(4L*M*K),*B=malloc(4L*K*N),*C=malloc(4L*M*N);
  for(long i=0;i<(long)M*K;i++)A[i]=rand()/(float)RAND_MAX;
  for(long i=0;i<(long)K*N;i++)B[i]=rand()/(float)RAND_MAX;
  double best=1e9, sum=0;
  for(int r=0;r<30;r++){double t=now();
    cblas_sgemm(CblasRowMajor,ta?CblasTrans:CblasNoTrans,tb?CblasTrans:CblasNoTrans,M,N,K,1,A,ta?M:K,B,tb?K:N,0,C,N);
    t=now()-t; if(t<best)best=t; sum+=t;}
  printf("%-28s M%d N%d K%d: best %.3f ms %.1f GFLOP/s, mean %.1f\n",name,M,N,K,best*1e3,2.0*M*N*K/best/1e9,2.0*M*N*K/(sum/30)/1e9);
}
int main(){openblas_set_num_threads(1);
 run("L2 fwd W.colT",0,1,128,784,576);
 run("L2 fwd col.WT (pix x filt)",0,1,784,128,576);
 run("L2 wgrad dYT.col",1,0,128,576,784);
 run("L2 bwd-data dY.W",0,0,784,576,128);
 run("L1 fwd col.WT",0,1,3136,64,288);
 run("L1 wgrad dYT.col",1,0,64,288,3136);
 run("L1 bwd-data dY.W",0,0,3136,288,64);
 return 0;}
