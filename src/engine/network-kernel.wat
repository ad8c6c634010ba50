;; The network's arithmetic in WebAssembly SIMD (float32), for the engine's own runtime
;; (native-network.ts): the matrix products, and the element-wise work around them (LayerNorm,
;; SiLU, GLU, the depthwise convolution, softmax, the LSTM cell), whose exp, sigmoid and tanh
;; in JavaScript (Math.exp, Math.tanh) cost more than the products.
;;
;; gemm: y[m][n] = b[n] + Σ_k x[m][k]·w[k][n], each sum from its bias in k order.
;; w is stored k-major ("packed", gemm-kernel.ts packLinear: w[k·N + n] = W_torch[n][k]) so one
;; v128 load gives four outputs' weights for one k. Four rows of x × eight outputs go at once
;; (eight accumulators, each weight vector loaded once for four rows); the rows left over (M mod 4)
;; go one at a time, sixteen outputs at once, then eight. N must be a multiple of 8 (packLinear pads).
;; x's rows are xs floats apart and y's ys floats apart, so a head's slice of a wider row can be read.
;;
;; Assembled into network-kernel-wasm.ts by `npm run build-kernel` (wabt); a test keeps the two equal.
(module
  (memory (export "memory") 1)
  (func $gemm (export "gemm")
    (param $x i32) (param $xs i32) (param $w i32) (param $b i32) (param $y i32) (param $ys i32)
    (param $M i32) (param $N i32) (param $K i32)
    (local $m i32) (local $n i32) (local $k i32) (local $wr i32) (local $wn i32) (local $x0 i32)
    (local $xsb i32) (local $ysb i32) (local $yp i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $w0 v128) (local $w1 v128) (local $a v128)
    (local.set $wr (i32.shl (local.get $N) (i32.const 2)))
    (local.set $xsb (i32.shl (local.get $xs) (i32.const 2)))
    (local.set $ysb (i32.shl (local.get $ys) (i32.const 2)))
    ;; four rows at a time
    (block $mdone (loop $mloop
      (br_if $mdone (i32.gt_u (i32.add (local.get $m) (i32.const 4)) (local.get $M)))
      (local.set $n (i32.const 0))
      (block $ndone (loop $nloop
        (br_if $ndone (i32.ge_u (local.get $n) (local.get $N)))
        (local.set $c00 (v128.load (i32.add (local.get $b) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $c01 (v128.load offset=16 (i32.add (local.get $b) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $c10 (local.get $c00)) (local.set $c11 (local.get $c01))
        (local.set $c20 (local.get $c00)) (local.set $c21 (local.get $c01))
        (local.set $c30 (local.get $c00)) (local.set $c31 (local.get $c01))
        (local.set $wn (i32.add (local.get $w) (i32.shl (local.get $n) (i32.const 2))))
        (local.set $x0 (i32.add (local.get $x) (i32.mul (local.get $m) (local.get $xsb))))
        (local.set $k (i32.const 0))
        (block $kdone (loop $kloop
          (br_if $kdone (i32.ge_u (local.get $k) (local.get $K)))
          (local.set $w0 (v128.load (local.get $wn)))
          (local.set $w1 (v128.load offset=16 (local.get $wn)))
          (local.set $a (v128.load32_splat (local.get $x0)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $w0))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (local.get $w1))))
          (local.set $a (v128.load32_splat (i32.add (local.get $x0) (local.get $xsb))))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (local.get $w0))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a) (local.get $w1))))
          (local.set $a (v128.load32_splat (i32.add (local.get $x0) (i32.shl (local.get $xsb) (i32.const 1)))))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a) (local.get $w0))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a) (local.get $w1))))
          (local.set $a (v128.load32_splat (i32.add (local.get $x0) (i32.mul (local.get $xsb) (i32.const 3)))))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a) (local.get $w0))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a) (local.get $w1))))
          (local.set $wn (i32.add (local.get $wn) (local.get $wr)))
          (local.set $x0 (i32.add (local.get $x0) (i32.const 4)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $kloop)))
        (local.set $yp (i32.add (i32.add (local.get $y) (i32.mul (local.get $m) (local.get $ysb))) (i32.shl (local.get $n) (i32.const 2))))
        (v128.store (local.get $yp) (local.get $c00))
        (v128.store offset=16 (local.get $yp) (local.get $c01))
        (local.set $yp (i32.add (local.get $yp) (local.get $ysb)))
        (v128.store (local.get $yp) (local.get $c10))
        (v128.store offset=16 (local.get $yp) (local.get $c11))
        (local.set $yp (i32.add (local.get $yp) (local.get $ysb)))
        (v128.store (local.get $yp) (local.get $c20))
        (v128.store offset=16 (local.get $yp) (local.get $c21))
        (local.set $yp (i32.add (local.get $yp) (local.get $ysb)))
        (v128.store (local.get $yp) (local.get $c30))
        (v128.store offset=16 (local.get $yp) (local.get $c31))
        (local.set $n (i32.add (local.get $n) (i32.const 8)))
        (br $nloop)))
      (local.set $m (i32.add (local.get $m) (i32.const 4)))
      (br $mloop)))
    ;; the rows left over, one at a time
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $m) (local.get $M)))
      (local.set $n (i32.const 0))
      ;; sixteen outputs at once
      (block $n16done (loop $n16loop
        (br_if $n16done (i32.gt_u (i32.add (local.get $n) (i32.const 16)) (local.get $N)))
        (local.set $c00 (v128.load (i32.add (local.get $b) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $c01 (v128.load offset=16 (i32.add (local.get $b) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $c10 (v128.load offset=32 (i32.add (local.get $b) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $c11 (v128.load offset=48 (i32.add (local.get $b) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $wn (i32.add (local.get $w) (i32.shl (local.get $n) (i32.const 2))))
        (local.set $x0 (i32.add (local.get $x) (i32.mul (local.get $m) (local.get $xsb))))
        (local.set $k (i32.const 0))
        (block $k16done (loop $k16loop
          (br_if $k16done (i32.ge_u (local.get $k) (local.get $K)))
          (local.set $a (v128.load32_splat (local.get $x0)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (v128.load (local.get $wn)))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (v128.load offset=16 (local.get $wn)))))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (v128.load offset=32 (local.get $wn)))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a) (v128.load offset=48 (local.get $wn)))))
          (local.set $wn (i32.add (local.get $wn) (local.get $wr)))
          (local.set $x0 (i32.add (local.get $x0) (i32.const 4)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $k16loop)))
        (local.set $yp (i32.add (i32.add (local.get $y) (i32.mul (local.get $m) (local.get $ysb))) (i32.shl (local.get $n) (i32.const 2))))
        (v128.store (local.get $yp) (local.get $c00))
        (v128.store offset=16 (local.get $yp) (local.get $c01))
        (v128.store offset=32 (local.get $yp) (local.get $c10))
        (v128.store offset=48 (local.get $yp) (local.get $c11))
        (local.set $n (i32.add (local.get $n) (i32.const 16)))
        (br $n16loop)))
      ;; then eight
      (block $n8done (loop $n8loop
        (br_if $n8done (i32.ge_u (local.get $n) (local.get $N)))
        (local.set $c00 (v128.load (i32.add (local.get $b) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $c01 (v128.load offset=16 (i32.add (local.get $b) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $wn (i32.add (local.get $w) (i32.shl (local.get $n) (i32.const 2))))
        (local.set $x0 (i32.add (local.get $x) (i32.mul (local.get $m) (local.get $xsb))))
        (local.set $k (i32.const 0))
        (block $k8done (loop $k8loop
          (br_if $k8done (i32.ge_u (local.get $k) (local.get $K)))
          (local.set $a (v128.load32_splat (local.get $x0)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (v128.load (local.get $wn)))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (v128.load offset=16 (local.get $wn)))))
          (local.set $wn (i32.add (local.get $wn) (local.get $wr)))
          (local.set $x0 (i32.add (local.get $x0) (i32.const 4)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $k8loop)))
        (local.set $yp (i32.add (i32.add (local.get $y) (i32.mul (local.get $m) (local.get $ysb))) (i32.shl (local.get $n) (i32.const 2))))
        (v128.store (local.get $yp) (local.get $c00))
        (v128.store offset=16 (local.get $yp) (local.get $c01))
        (local.set $n (i32.add (local.get $n) (i32.const 8)))
        (br $n8loop)))
      (local.set $m (i32.add (local.get $m) (i32.const 1)))
      (br $rloop)))
  )

  ;; e^x in each lane (Cephes expf: relative error under 2e-7), x clamped to [-87.3, 88.3]
  (func $exp4 (param $x v128) (result v128)
    (local $fx v128) (local $y v128)
    (local.set $x (f32x4.min (f32x4.max (local.get $x) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3))
      (v128.const f32x4 88.3 88.3 88.3 88.3)))
    (local.set $fx (f32x4.nearest (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
    (local.set $x (f32x4.sub (local.get $x) (f32x4.mul (local.get $fx) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
    (local.set $x (f32x4.sub (local.get $x) (f32x4.mul (local.get $fx) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $y (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $x)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $x)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $x)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $x)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $x)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
    (local.set $y (f32x4.add (f32x4.add (f32x4.mul (local.get $y) (f32x4.mul (local.get $x) (local.get $x))) (local.get $x))
      (v128.const f32x4 1 1 1 1)))
    ;; times 2^fx, built in the exponent bits
    (f32x4.mul (local.get $y)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $fx)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))

  (func $sigmoid4 (param $x v128) (result v128)
    (f32x4.div (v128.const f32x4 1 1 1 1)
      (f32x4.add (v128.const f32x4 1 1 1 1) (call $exp4 (f32x4.neg (local.get $x))))))

  ;; tanh x = 1 - 2 / (1 + e^2x)
  (func $tanh4 (param $x v128) (result v128)
    (f32x4.sub (v128.const f32x4 1 1 1 1)
      (f32x4.div (v128.const f32x4 2 2 2 2)
        (f32x4.add (v128.const f32x4 1 1 1 1) (call $exp4 (f32x4.add (local.get $x) (local.get $x)))))))

  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; x · sigmoid(x) over n floats at p (n a multiple of 4)
  (func (export "silu") (param $p i32) (param $n i32)
    (local $end i32) (local $v v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $v (v128.load (local.get $p)))
      (v128.store (local.get $p) (f32x4.div (local.get $v)
        (f32x4.add (v128.const f32x4 1 1 1 1) (call $exp4 (f32x4.neg (local.get $v))))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $next))))

  ;; x[i] += a · y[i] over n floats (n a multiple of 4)
  (func (export "axpy") (param $x i32) (param $y i32) (param $n i32) (param $a f32)
    (local $end i32) (local $av v128)
    (local.set $av (f32x4.splat (local.get $a)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (v128.store (local.get $x) (f32x4.add (v128.load (local.get $x)) (f32x4.mul (local.get $av) (v128.load (local.get $y)))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $y (i32.add (local.get $y) (i32.const 16)))
      (br $next))))

  ;; torch.nn.LayerNorm over `rows` rows of `dim` floats (a multiple of 4), `stride` floats apart; src may be dst
  (func (export "layernorm") (param $src i32) (param $dst i32) (param $rows i32) (param $dim i32) (param $stride i32)
    (param $g i32) (param $b i32) (param $eps f32)
    (local $r i32) (local $i i32) (local $bytes i32) (local $s i32) (local $d i32)
    (local $acc v128) (local $mean v128) (local $inv v128) (local $e v128) (local $m f32)
    (local.set $bytes (i32.shl (local.get $dim) (i32.const 2)))
    (block $rdone (loop $rnext
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $s (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r) (local.get $stride)) (i32.const 2))))
      (local.set $d (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $r) (local.get $stride)) (i32.const 2))))
      (local.set $acc (v128.const f32x4 0 0 0 0))
      (local.set $i (i32.const 0))
      (block $sdone (loop $snext
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $bytes)))
        (local.set $acc (f32x4.add (local.get $acc) (v128.load (i32.add (local.get $s) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $snext)))
      (local.set $m (f32.div (call $hsum (local.get $acc)) (f32.convert_i32_u (local.get $dim))))
      (local.set $mean (f32x4.splat (local.get $m)))
      (local.set $acc (v128.const f32x4 0 0 0 0))
      (local.set $i (i32.const 0))
      (block $vdone (loop $vnext
        (br_if $vdone (i32.ge_u (local.get $i) (local.get $bytes)))
        (local.set $e (f32x4.sub (v128.load (i32.add (local.get $s) (local.get $i))) (local.get $mean)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $e) (local.get $e))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vnext)))
      (local.set $inv (f32x4.splat (f32.div (f32.const 1)
        (f32.sqrt (f32.add (f32.div (call $hsum (local.get $acc)) (f32.convert_i32_u (local.get $dim))) (local.get $eps))))))
      (local.set $i (i32.const 0))
      (block $odone (loop $onext
        (br_if $odone (i32.ge_u (local.get $i) (local.get $bytes)))
        (v128.store (i32.add (local.get $d) (local.get $i))
          (f32x4.add
            (f32x4.mul (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $s) (local.get $i))) (local.get $mean)) (local.get $inv))
              (v128.load (i32.add (local.get $g) (local.get $i))))
            (v128.load (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $onext)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rnext))))

  ;; dst[r][d] = src[r][d] · sigmoid(src[r][dim + d]) (F.glu); rows `ss` and `ds` floats apart
  (func (export "glu") (param $src i32) (param $ss i32) (param $dst i32) (param $ds i32) (param $rows i32) (param $dim i32)
    (local $r i32) (local $i i32) (local $bytes i32) (local $s i32) (local $d i32)
    (local.set $bytes (i32.shl (local.get $dim) (i32.const 2)))
    (block $rdone (loop $rnext
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $s (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r) (local.get $ss)) (i32.const 2))))
      (local.set $d (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $r) (local.get $ds)) (i32.const 2))))
      (local.set $i (i32.const 0))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
        (v128.store (i32.add (local.get $d) (local.get $i))
          (f32x4.mul (v128.load (i32.add (local.get $s) (local.get $i)))
            (call $sigmoid4 (v128.load (i32.add (i32.add (local.get $s) (local.get $bytes)) (local.get $i))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rnext))))

  ;; the depthwise convolution over T rows of D floats (D a multiple of 4), zero-padded by K/2 on
  ;; each side: dst[t][d] = b[d] + Σ_j w[j][d]·src[t + j - K/2][d]; w is (K, D) (taps by channel)
  (func (export "dwconv") (param $src i32) (param $dst i32) (param $T i32) (param $D i32) (param $w i32) (param $b i32) (param $K i32)
    (local $t i32) (local $i i32) (local $j i32) (local $u i32) (local $half i32) (local $rb i32) (local $acc v128)
    (local.set $half (i32.shr_u (local.get $K) (i32.const 1)))
    (local.set $rb (i32.shl (local.get $D) (i32.const 2)))
    (block $tdone (loop $tnext
      (br_if $tdone (i32.ge_u (local.get $t) (local.get $T)))
      (local.set $i (i32.const 0))
      (block $idone (loop $inext
        (br_if $idone (i32.ge_u (local.get $i) (local.get $rb)))
        (local.set $acc (v128.load (i32.add (local.get $b) (local.get $i))))
        (local.set $j (i32.const 0))
        (block $jdone (loop $jnext
          (br_if $jdone (i32.ge_u (local.get $j) (local.get $K)))
          (local.set $u (i32.sub (i32.add (local.get $t) (local.get $j)) (local.get $half)))
          (if (i32.and (i32.ge_s (local.get $u) (i32.const 0)) (i32.lt_s (local.get $u) (local.get $T)))
            (then
              (local.set $acc (f32x4.add (local.get $acc)
                (f32x4.mul (v128.load (i32.add (local.get $w) (i32.add (i32.mul (local.get $j) (local.get $rb)) (local.get $i))))
                  (v128.load (i32.add (local.get $src) (i32.add (i32.mul (local.get $u) (local.get $rb)) (local.get $i)))))))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $jnext)))
        (v128.store (i32.add (local.get $dst) (i32.add (i32.mul (local.get $t) (local.get $rb)) (local.get $i))) (local.get $acc))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $inext)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tnext))))

  ;; softmax(scale · row) over `rows` rows of n floats (n a multiple of 4; lanes past the valid
  ;; ones must hold a large negative number), `stride` floats apart
  (func (export "softmax") (param $s i32) (param $rows i32) (param $n i32) (param $stride i32) (param $scale f32)
    (local $r i32) (local $i i32) (local $bytes i32) (local $p i32) (local $sc v128) (local $mx v128) (local $acc v128) (local $e v128)
    (local.set $sc (f32x4.splat (local.get $scale)))
    (local.set $bytes (i32.shl (local.get $n) (i32.const 2)))
    (block $rdone (loop $rnext
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $p (i32.add (local.get $s) (i32.shl (i32.mul (local.get $r) (local.get $stride)) (i32.const 2))))
      (local.set $mx (v128.const f32x4 -3.0e38 -3.0e38 -3.0e38 -3.0e38))
      (local.set $i (i32.const 0))
      (block $mdone (loop $mnext
        (br_if $mdone (i32.ge_u (local.get $i) (local.get $bytes)))
        (local.set $e (f32x4.mul (v128.load (i32.add (local.get $p) (local.get $i))) (local.get $sc)))
        (v128.store (i32.add (local.get $p) (local.get $i)) (local.get $e))
        (local.set $mx (f32x4.max (local.get $mx) (local.get $e)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $mnext)))
      (local.set $mx (f32x4.splat (f32.max
        (f32.max (f32x4.extract_lane 0 (local.get $mx)) (f32x4.extract_lane 1 (local.get $mx)))
        (f32.max (f32x4.extract_lane 2 (local.get $mx)) (f32x4.extract_lane 3 (local.get $mx))))))
      (local.set $acc (v128.const f32x4 0 0 0 0))
      (local.set $i (i32.const 0))
      (block $edone (loop $enext
        (br_if $edone (i32.ge_u (local.get $i) (local.get $bytes)))
        (local.set $e (call $exp4 (f32x4.sub (v128.load (i32.add (local.get $p) (local.get $i))) (local.get $mx))))
        (v128.store (i32.add (local.get $p) (local.get $i)) (local.get $e))
        (local.set $acc (f32x4.add (local.get $acc) (local.get $e)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $enext)))
      (local.set $acc (f32x4.splat (call $hsum (local.get $acc))))
      (local.set $i (i32.const 0))
      (block $ndone (loop $nnext
        (br_if $ndone (i32.ge_u (local.get $i) (local.get $bytes)))
        (v128.store (i32.add (local.get $p) (local.get $i)) (f32x4.div (v128.load (i32.add (local.get $p) (local.get $i))) (local.get $acc)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $nnext)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rnext))))

  ;; one LSTM row (PyTorch's gate order i, f, g, o): gates (4P) + tab (4P: the input part and the
  ;; biases) -> c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c'); P a multiple of 4
  (func (export "lstm_cell") (param $gates i32) (param $tab i32) (param $c i32) (param $h1 i32) (param $c1 i32) (param $P i32)
    (local $i i32) (local $pb i32) (local $ig v128) (local $fg v128) (local $gg v128) (local $og v128) (local $cn v128)
    (local.set $pb (i32.shl (local.get $P) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $pb)))
      (local.set $ig (call $sigmoid4 (f32x4.add (v128.load (i32.add (local.get $gates) (local.get $i))) (v128.load (i32.add (local.get $tab) (local.get $i))))))
      (local.set $fg (call $sigmoid4 (f32x4.add
        (v128.load (i32.add (i32.add (local.get $gates) (local.get $pb)) (local.get $i)))
        (v128.load (i32.add (i32.add (local.get $tab) (local.get $pb)) (local.get $i))))))
      (local.set $gg (call $tanh4 (f32x4.add
        (v128.load (i32.add (i32.add (local.get $gates) (i32.shl (local.get $pb) (i32.const 1))) (local.get $i)))
        (v128.load (i32.add (i32.add (local.get $tab) (i32.shl (local.get $pb) (i32.const 1))) (local.get $i))))))
      (local.set $og (call $sigmoid4 (f32x4.add
        (v128.load (i32.add (i32.add (local.get $gates) (i32.mul (local.get $pb) (i32.const 3))) (local.get $i)))
        (v128.load (i32.add (i32.add (local.get $tab) (i32.mul (local.get $pb) (i32.const 3))) (local.get $i))))))
      (local.set $cn (f32x4.add (f32x4.mul (local.get $fg) (v128.load (i32.add (local.get $c) (local.get $i))))
        (f32x4.mul (local.get $ig) (local.get $gg))))
      (v128.store (i32.add (local.get $c1) (local.get $i)) (local.get $cn))
      (v128.store (i32.add (local.get $h1) (local.get $i)) (f32x4.mul (local.get $og) (call $tanh4 (local.get $cn))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next))))

  ;; n float16 values (little-endian bits) at src -> float32 at dst, exactly (subnormals, ±0, ±inf, NaN).
  ;; Four at a time: the magnitude's bits moved into float32's places and multiplied by 2^112 (exact
  ;; for normal and subnormal values alike), the all-ones exponent (inf, NaN) put back, the sign or-ed
  ;; in; the last n mod 4 one by one.
  (func (export "f16_to_f32") (param $src i32) (param $dst i32) (param $n i32)
    (local $end i32) (local $h i32) (local $e i32) (local $m i32) (local $sign i32) (local $f f32)
    (local $end4 i32) (local $hv v128) (local $mv v128)
    (local.set $end4 (i32.add (local.get $src) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 1))))
    (block $vdone (loop $vnext
      (br_if $vdone (i32.ge_u (local.get $src) (local.get $end4)))
      (local.set $hv (v128.load16x4_u (local.get $src)))
      (local.set $mv (i32x4.shl (v128.and (local.get $hv) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff)) (i32.const 13)))
      (v128.store (local.get $dst)
        (v128.or
          (v128.bitselect
            (v128.or (local.get $mv) (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
            (f32x4.mul (local.get $mv) (v128.const i32x4 0x77800000 0x77800000 0x77800000 0x77800000))
            (i32x4.eq (v128.and (local.get $hv) (v128.const i32x4 0x7c00 0x7c00 0x7c00 0x7c00)) (v128.const i32x4 0x7c00 0x7c00 0x7c00 0x7c00)))
          (i32x4.shl (v128.and (local.get $hv) (v128.const i32x4 0x8000 0x8000 0x8000 0x8000)) (i32.const 16))))
      (local.set $src (i32.add (local.get $src) (i32.const 8)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (br $vnext)))
    (local.set $end (i32.add (local.get $src) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 1))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
      (local.set $h (i32.load16_u (local.get $src)))
      (local.set $sign (i32.shl (i32.and (local.get $h) (i32.const 0x8000)) (i32.const 16)))
      (local.set $e (i32.and (i32.shr_u (local.get $h) (i32.const 10)) (i32.const 0x1f)))
      (local.set $m (i32.and (local.get $h) (i32.const 0x3ff)))
      (if (i32.eqz (local.get $e))
        (then
          ;; zero or subnormal: m · 2^-24, exact in float32
          (local.set $f (f32.mul (f32.convert_i32_u (local.get $m)) (f32.const 0x1p-24)))
          (f32.store (local.get $dst) (f32.reinterpret_i32 (i32.or (i32.reinterpret_f32 (local.get $f)) (local.get $sign)))))
        (else
          (if (i32.eq (local.get $e) (i32.const 31))
            (then (i32.store (local.get $dst)
              (i32.or (i32.or (local.get $sign) (i32.const 0x7f800000)) (i32.shl (local.get $m) (i32.const 13)))))
            (else (i32.store (local.get $dst)
              (i32.or (i32.or (local.get $sign) (i32.shl (i32.add (local.get $e) (i32.const 112)) (i32.const 23)))
                (i32.shl (local.get $m) (i32.const 13))))))))
      (local.set $src (i32.add (local.get $src) (i32.const 2)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (br $next))))

  ;; dst[k·Np + n] = src[n·K + k] for n < N, k < K: a PyTorch (N, K) weight into gemm's k-major layout.
  ;; In bands of 16 k: each source row's 16 floats are read at once and the 16 destination rows are
  ;; each written in order (a plain n-then-k loop stored Np·4 bytes apart every time: a cache line a
  ;; value, most of the native runtime's start-up).
  (func (export "transpose") (param $src i32) (param $dst i32) (param $N i32) (param $K i32) (param $Np i32)
    (local $k0 i32) (local $kend i32) (local $n i32) (local $k i32) (local $s i32) (local $d i32) (local $rb i32)
    (local.set $rb (i32.shl (local.get $Np) (i32.const 2)))
    (block $bdone (loop $bnext
      (br_if $bdone (i32.ge_u (local.get $k0) (local.get $K)))
      (local.set $kend (select (i32.add (local.get $k0) (i32.const 16)) (local.get $K)
        (i32.lt_u (i32.add (local.get $k0) (i32.const 16)) (local.get $K))))
      (local.set $n (i32.const 0))
      (block $ndone (loop $nnext
        (br_if $ndone (i32.ge_u (local.get $n) (local.get $N)))
        (local.set $s (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $n) (local.get $K)) (local.get $k0)) (i32.const 2))))
        (local.set $d (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $k0) (local.get $Np)) (local.get $n)) (i32.const 2))))
        (local.set $k (local.get $k0))
        (block $kdone (loop $knext
          (br_if $kdone (i32.ge_u (local.get $k) (local.get $kend)))
          (f32.store (local.get $d) (f32.load (local.get $s)))
          (local.set $s (i32.add (local.get $s) (i32.const 4)))
          (local.set $d (i32.add (local.get $d) (local.get $rb)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $knext)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $nnext)))
      (local.set $k0 (i32.add (local.get $k0) (i32.const 16)))
      (br $bnext))))
)
