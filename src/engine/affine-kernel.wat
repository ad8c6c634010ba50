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
  (func (export "affine2")
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
    ;; the last pairs, one at a time
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
        (br $next1)))))
