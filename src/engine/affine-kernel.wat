;; The joint's matrix-vector products (joint.ts affine) in WebAssembly SIMD, bit-identical to the
;; JavaScript loop: out[r] = b[r] + Σ_c W[r][c]·x[c], every sum from its bias in c order, one
;; multiply then one add per term (no fused multiply-add), in float64.
;;
;; Two rows share a v128 (lane 0 row 2p, lane 1 row 2p+1), so W is stored pair-interleaved:
;;   w2[(p·cols + c)·2 + lane] = W[2p + lane][c]      b2[2p + lane] = b[2p + lane]
;; Four pairs (eight rows) go at once: four independent sums per step of c.
;;
;; Assembled into affine-kernel-wasm.ts by `npm run build-kernel` (wabt); a test keeps the two equal.
(module
  (memory (export "memory") 1)
  (func $affine2 (export "affine2")
    (param $w i32) (param $b i32) (param $x i32) (param $out i32) (param $pairs i32) (param $cols i32)
    (local $p i32) (local $c i32) (local $stride i32) (local $w0 i32) (local $xc v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    ;; bytes of one pair's row of W
    (local.set $stride (i32.shl (local.get $cols) (i32.const 4)))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.gt_u (i32.add (local.get $p) (i32.const 4)) (local.get $pairs)))
        (local.set $w0 (i32.add (local.get $w) (i32.mul (local.get $p) (local.get $stride))))
        (local.set $a0 (v128.load (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 4)))))
        (local.set $a1 (v128.load offset=16 (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 4)))))
        (local.set $a2 (v128.load offset=32 (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 4)))))
        (local.set $a3 (v128.load offset=48 (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 4)))))
        (local.set $c (i32.const 0))
        (block $cols4
          (loop $col4
            (br_if $cols4 (i32.ge_u (local.get $c) (local.get $cols)))
            (local.set $xc (f64x2.splat (f64.load (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 3))))))
            (local.set $a0 (f64x2.add (local.get $a0)
              (f64x2.mul (v128.load (i32.add (local.get $w0) (i32.shl (local.get $c) (i32.const 4)))) (local.get $xc))))
            (local.set $a1 (f64x2.add (local.get $a1)
              (f64x2.mul (v128.load (i32.add (i32.add (local.get $w0) (local.get $stride)) (i32.shl (local.get $c) (i32.const 4)))) (local.get $xc))))
            (local.set $a2 (f64x2.add (local.get $a2)
              (f64x2.mul (v128.load (i32.add (i32.add (local.get $w0) (i32.shl (local.get $stride) (i32.const 1))) (i32.shl (local.get $c) (i32.const 4)))) (local.get $xc))))
            (local.set $a3 (f64x2.add (local.get $a3)
              (f64x2.mul (v128.load (i32.add (i32.add (local.get $w0) (i32.mul (local.get $stride) (i32.const 3))) (i32.shl (local.get $c) (i32.const 4)))) (local.get $xc))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $col4)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $p) (i32.const 4))) (local.get $a0))
        (v128.store offset=16 (i32.add (local.get $out) (i32.shl (local.get $p) (i32.const 4))) (local.get $a1))
        (v128.store offset=32 (i32.add (local.get $out) (i32.shl (local.get $p) (i32.const 4))) (local.get $a2))
        (v128.store offset=48 (i32.add (local.get $out) (i32.shl (local.get $p) (i32.const 4))) (local.get $a3))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $next4)))
    ;; two pairs at once (two independent sums): the output layer's 14 pairs end with two, which
    ;; one at a time would wait on the add latency
    (block $done2
      (loop $next2
        (br_if $done2 (i32.gt_u (i32.add (local.get $p) (i32.const 2)) (local.get $pairs)))
        (local.set $w0 (i32.add (local.get $w) (i32.mul (local.get $p) (local.get $stride))))
        (local.set $a0 (v128.load (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 4)))))
        (local.set $a1 (v128.load offset=16 (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 4)))))
        (local.set $c (i32.const 0))
        (block $cols2
          (loop $col2
            (br_if $cols2 (i32.ge_u (local.get $c) (local.get $cols)))
            (local.set $xc (f64x2.splat (f64.load (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 3))))))
            (local.set $a0 (f64x2.add (local.get $a0)
              (f64x2.mul (v128.load (i32.add (local.get $w0) (i32.shl (local.get $c) (i32.const 4)))) (local.get $xc))))
            (local.set $a1 (f64x2.add (local.get $a1)
              (f64x2.mul (v128.load (i32.add (i32.add (local.get $w0) (local.get $stride)) (i32.shl (local.get $c) (i32.const 4)))) (local.get $xc))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $col2)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $p) (i32.const 4))) (local.get $a0))
        (v128.store offset=16 (i32.add (local.get $out) (i32.shl (local.get $p) (i32.const 4))) (local.get $a1))
        (local.set $p (i32.add (local.get $p) (i32.const 2)))
        (br $next2)))
    ;; the last pair
    (block $done1
      (loop $next1
        (br_if $done1 (i32.ge_u (local.get $p) (local.get $pairs)))
        (local.set $w0 (i32.add (local.get $w) (i32.mul (local.get $p) (local.get $stride))))
        (local.set $a0 (v128.load (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 4)))))
        (local.set $c (i32.const 0))
        (block $cols1
          (loop $col1
            (br_if $cols1 (i32.ge_u (local.get $c) (local.get $cols)))
            (local.set $a0 (f64x2.add (local.get $a0)
              (f64x2.mul (v128.load (i32.add (local.get $w0) (i32.shl (local.get $c) (i32.const 4))))
                         (f64x2.splat (f64.load (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 3))))))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $col1)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $p) (i32.const 4))) (local.get $a0))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next1))))
  ;; One joint row (joint.ts jointHidden + jointOutput): z[j] = (ta[j] + tb[j]) / (1 + ta[j]·tb[j])
  ;; for j < n from tanh(enc_proj) and tanh(pred) (the addition formula, one multiply, add, add
  ;; and divide in float64: bit-identical to the JavaScript), then the output layer into `out`.
  ;; Where a denominator is not above $min (or is NaN) jointHidden takes Math.tanh instead, which
  ;; WebAssembly lacks: then it returns how many such j there are and leaves the output to the
  ;; caller, which fixes those z and calls affine2. Otherwise it returns 0.
  (func (export "joint_row")
    (param $ta i32) (param $tb i32) (param $z i32) (param $n i32) (param $min f64)
    (param $w i32) (param $b i32) (param $out i32) (param $pairs i32)
    (result i32)
    (local $j i32) (local $bad i32) (local $a v128) (local $t v128) (local $den v128) (local $one v128) (local $lo v128)
    (local $sa f64) (local $sb f64) (local $sd f64)
    (local.set $one (f64x2.splat (f64.const 1)))
    (local.set $lo (f64x2.splat (local.get $min)))
    (block $done
      (loop $next
        (br_if $done (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $n)))
        (local.set $a (v128.load (i32.add (local.get $ta) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $t (v128.load (i32.add (local.get $tb) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $den (f64x2.add (local.get $one) (f64x2.mul (local.get $a) (local.get $t))))
        (v128.store (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 3)))
          (f64x2.div (f64x2.add (local.get $a) (local.get $t)) (local.get $den)))
        ;; lanes whose denominator is above the minimum: bits of i64x2.bitmask
        (local.set $bad (i32.add (local.get $bad)
          (i32.sub (i32.const 2) (i32.popcnt (i64x2.bitmask (f64x2.gt (local.get $den) (local.get $lo)))))))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $next)))
    ;; an odd n: the last element alone
    (if (i32.lt_u (local.get $j) (local.get $n))
      (then
        (local.set $sa (f64.load (i32.add (local.get $ta) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $sb (f64.load (i32.add (local.get $tb) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $sd (f64.add (f64.const 1) (f64.mul (local.get $sa) (local.get $sb))))
        (f64.store (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 3)))
          (f64.div (f64.add (local.get $sa) (local.get $sb)) (local.get $sd)))
        (if (i32.eqz (f64.gt (local.get $sd) (local.get $min)))
          (then (local.set $bad (i32.add (local.get $bad) (i32.const 1)))))))
    (if (i32.eqz (local.get $bad))
      (then (call $affine2 (local.get $w) (local.get $b) (local.get $z) (local.get $out) (local.get $pairs) (local.get $n))))
    (local.get $bad))
)
