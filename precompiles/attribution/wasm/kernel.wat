;; Exact int8 dot products with WebAssembly SIMD (no relaxed-SIMD: every engine computes the same
;; integers). Rows are int8, padded to a multiple of 16 bytes; the query is given widened to i16.
(module
  (memory (export "memory") 1)

  ;; top: the top $k (≥ 1) of the rows in $nranges (first, count) ranges at $ranges (i32 pairs),
  ;; where row p stands for candidate order[p] (the i32 array at $order; $order = -1: candidate p),
  ;; in the consensus order: score descending, candidate ascending, positive scores only. They are
  ;; kept in a heap of (candidate, score) i32 pairs at $heap, the worst at the root, and left
  ;; there sorted, best first; returns how many (≤ $k). Four rows at a time share the query's loads, each row's bytes
  ;; widened as they are loaded; rows past a range's end are read (the memory after the rows is the
  ;; caller's) but never offered. A score at or below the floor (what the root beats) costs one
  ;; comparison: the heap is entered only by what can stay in it.
  (func (export "top")
    (param $rows i32) (param $stride i32) (param $query i32) (param $order i32)
    (param $ranges i32) (param $nranges i32) (param $k i32) (param $heap i32)
    (result i32)
    (local $r i32) (local $p i32) (local $end i32) (local $n i32) (local $floor i32) (local $s i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $rowend i32) (local $qp i32)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $q0 v128) (local $q1 v128)
    (local.set $n (i32.const 0))
    (local.set $floor (i32.const 0))
    (local.set $r (i32.const 0))
    (block $rangesdone
      (loop $range
        (br_if $rangesdone (i32.ge_u (local.get $r) (local.get $nranges)))
        (local.set $p (i32.load (i32.add (local.get $ranges) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $end (i32.add (local.get $p) (i32.load offset=4 (i32.add (local.get $ranges) (i32.shl (local.get $r) (i32.const 3))))))
        (block $rowsdone
          (loop $rowloop
            (br_if $rowsdone (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $a0 (i32.add (local.get $rows) (i32.mul (local.get $p) (local.get $stride))))
            (local.set $rowend (i32.add (local.get $a0) (local.get $stride)))
            (local.set $a1 (local.get $rowend))
            (local.set $a2 (i32.add (local.get $a1) (local.get $stride)))
            (local.set $a3 (i32.add (local.get $a2) (local.get $stride)))
            (local.set $qp (local.get $query))
            (local.set $c0 (v128.const i32x4 0 0 0 0))
            (local.set $c1 (v128.const i32x4 0 0 0 0))
            (local.set $c2 (v128.const i32x4 0 0 0 0))
            (local.set $c3 (v128.const i32x4 0 0 0 0))
            (loop $chunk
              (local.set $q0 (v128.load (local.get $qp)))
              (local.set $q1 (v128.load offset=16 (local.get $qp)))
              (local.set $c0 (i32x4.add (local.get $c0) (i32x4.dot_i16x8_s (v128.load8x8_s offset=0 (local.get $a0)) (local.get $q0))))
              (local.set $c0 (i32x4.add (local.get $c0) (i32x4.dot_i16x8_s (v128.load8x8_s offset=8 (local.get $a0)) (local.get $q1))))
              (local.set $c1 (i32x4.add (local.get $c1) (i32x4.dot_i16x8_s (v128.load8x8_s offset=0 (local.get $a1)) (local.get $q0))))
              (local.set $c1 (i32x4.add (local.get $c1) (i32x4.dot_i16x8_s (v128.load8x8_s offset=8 (local.get $a1)) (local.get $q1))))
              (local.set $c2 (i32x4.add (local.get $c2) (i32x4.dot_i16x8_s (v128.load8x8_s offset=0 (local.get $a2)) (local.get $q0))))
              (local.set $c2 (i32x4.add (local.get $c2) (i32x4.dot_i16x8_s (v128.load8x8_s offset=8 (local.get $a2)) (local.get $q1))))
              (local.set $c3 (i32x4.add (local.get $c3) (i32x4.dot_i16x8_s (v128.load8x8_s offset=0 (local.get $a3)) (local.get $q0))))
              (local.set $c3 (i32x4.add (local.get $c3) (i32x4.dot_i16x8_s (v128.load8x8_s offset=8 (local.get $a3)) (local.get $q1))))
              (local.set $a0 (i32.add (local.get $a0) (i32.const 16)))
              (local.set $a1 (i32.add (local.get $a1) (i32.const 16)))
              (local.set $a2 (i32.add (local.get $a2) (i32.const 16)))
              (local.set $a3 (i32.add (local.get $a3) (i32.const 16)))
              (local.set $qp (i32.add (local.get $qp) (i32.const 32)))
              (br_if $chunk (i32.lt_u (local.get $a0) (local.get $rowend))))
            (local.set $s (call $sum (local.get $c0)))
            (if (i32.gt_s (local.get $s) (local.get $floor))
              (then (if (i32.lt_u (i32.add (local.get $p) (i32.const 0)) (local.get $end))
                (then
                  (local.set $n (call $consider (local.get $heap) (local.get $n) (local.get $k) (local.get $order) (i32.add (local.get $p) (i32.const 0)) (local.get $s)))
                  (local.set $floor (call $floorOf (local.get $heap) (local.get $n) (local.get $k)))))))
            (local.set $s (call $sum (local.get $c1)))
            (if (i32.gt_s (local.get $s) (local.get $floor))
              (then (if (i32.lt_u (i32.add (local.get $p) (i32.const 1)) (local.get $end))
                (then
                  (local.set $n (call $consider (local.get $heap) (local.get $n) (local.get $k) (local.get $order) (i32.add (local.get $p) (i32.const 1)) (local.get $s)))
                  (local.set $floor (call $floorOf (local.get $heap) (local.get $n) (local.get $k)))))))
            (local.set $s (call $sum (local.get $c2)))
            (if (i32.gt_s (local.get $s) (local.get $floor))
              (then (if (i32.lt_u (i32.add (local.get $p) (i32.const 2)) (local.get $end))
                (then
                  (local.set $n (call $consider (local.get $heap) (local.get $n) (local.get $k) (local.get $order) (i32.add (local.get $p) (i32.const 2)) (local.get $s)))
                  (local.set $floor (call $floorOf (local.get $heap) (local.get $n) (local.get $k)))))))
            (local.set $s (call $sum (local.get $c3)))
            (if (i32.gt_s (local.get $s) (local.get $floor))
              (then (if (i32.lt_u (i32.add (local.get $p) (i32.const 3)) (local.get $end))
                (then
                  (local.set $n (call $consider (local.get $heap) (local.get $n) (local.get $k) (local.get $order) (i32.add (local.get $p) (i32.const 3)) (local.get $s)))
                  (local.set $floor (call $floorOf (local.get $heap) (local.get $n) (local.get $k)))))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $rowloop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $range)))
    (call $sortHeap (local.get $heap) (local.get $n))
    (local.get $n))

  ;; heap sort: the worst, at the root, goes to the end of the shrinking heap, which leaves the
  ;; $n pairs best first
  (func $sortHeap (param $heap i32) (param $n i32)
    (local $last i32) (local $a i32) (local $i i32) (local $s i32)
    (local.set $last (local.get $n))
    (block $sorted
      (loop $pop
        (local.set $last (i32.sub (local.get $last) (i32.const 1)))
        (br_if $sorted (i32.le_s (local.get $last) (i32.const 0)))
        (local.set $a (i32.add (local.get $heap) (i32.shl (local.get $last) (i32.const 3))))
        (local.set $i (i32.load (local.get $a)))
        (local.set $s (i32.load offset=4 (local.get $a)))
        (i64.store (local.get $a) (i64.load (local.get $heap)))
        ;; the last of the heap takes the root's place in a heap one shorter
        (drop (call $offer (local.get $heap) (local.get $last) (local.get $last) (local.get $i) (local.get $s)))
        (br $pop))))

  (func $sum (param $v v128) (result i32)
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $v)) (i32x4.extract_lane 1 (local.get $v)))
      (i32.add (i32x4.extract_lane 2 (local.get $v)) (i32x4.extract_lane 3 (local.get $v)))))

  ;; scores at or below this cannot enter a heap holding $n of $k: 0 until it is full (only
  ;; positive scores count), then the root's score less one (an equal score may still enter with a
  ;; lower candidate)
  (func $floorOf (param $heap i32) (param $n i32) (param $k i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (local.get $k))
      (then (i32.const 0))
      (else (i32.sub (i32.load offset=4 (local.get $heap)) (i32.const 1)))))

  ;; offers row $p with score $s (above the floor); returns the heap's new count
  (func $consider (param $heap i32) (param $n i32) (param $k i32) (param $order i32) (param $p i32) (param $s i32) (result i32)
    (local $i i32)
    (local.set $i (if (result i32) (i32.lt_s (local.get $order) (i32.const 0))
      (then (local.get $p))
      (else (i32.load (i32.add (local.get $order) (i32.shl (local.get $p) (i32.const 2)))))))
    ;; a full heap takes it only if it beats the root: with the root's score, a lower candidate
    (if (i32.ge_u (local.get $n) (local.get $k))
      (then (if (i32.eqz (call $worse (i32.load offset=4 (local.get $heap)) (i32.load (local.get $heap)) (local.get $s) (local.get $i)))
        (then (return (local.get $n))))))
    (call $offer (local.get $heap) (local.get $n) (local.get $k) (local.get $i) (local.get $s)))

  ;; (score $s, candidate $i) is worse than (score $t, candidate $j) in the consensus order
  (func $worse (param $s i32) (param $i i32) (param $t i32) (param $j i32) (result i32)
    (if (result i32) (i32.ne (local.get $s) (local.get $t))
      (then (i32.lt_s (local.get $s) (local.get $t)))
      (else (i32.gt_u (local.get $i) (local.get $j)))))

  ;; puts (candidate $i, score $s) in the heap of $n of $k at $heap; a full heap loses its root,
  ;; which the caller has checked is worse; returns the new count
  (func $offer (param $heap i32) (param $n i32) (param $k i32) (param $i i32) (param $s i32) (result i32)
    (local $at i32) (local $p i32) (local $c i32) (local $pa i32) (local $ca i32) (local $ra i32)
    (if (i32.lt_u (local.get $n) (local.get $k))
      (then
        ;; a new slot at the end, moving up past better parents (the worse goes up)
        (local.set $at (local.get $n))
        (block $placed
          (loop $up
            (br_if $placed (i32.eqz (local.get $at)))
            (local.set $p (i32.shr_u (i32.sub (local.get $at) (i32.const 1)) (i32.const 1)))
            (local.set $pa (i32.add (local.get $heap) (i32.shl (local.get $p) (i32.const 3))))
            (br_if $placed (i32.eqz (call $worse (local.get $s) (local.get $i) (i32.load offset=4 (local.get $pa)) (i32.load (local.get $pa)))))
            (i64.store (i32.add (local.get $heap) (i32.shl (local.get $at) (i32.const 3))) (i64.load (local.get $pa)))
            (local.set $at (local.get $p))
            (br $up)))
        (call $place (local.get $heap) (local.get $at) (local.get $i) (local.get $s))
        (return (i32.add (local.get $n) (i32.const 1)))))
    ;; the newcomer takes the root's place and moves down past worse children
    (local.set $at (i32.const 0))
    (block $placed
      (loop $down
        (local.set $c (i32.add (i32.shl (local.get $at) (i32.const 1)) (i32.const 1)))
        (br_if $placed (i32.ge_u (local.get $c) (local.get $n)))
        (local.set $ca (i32.add (local.get $heap) (i32.shl (local.get $c) (i32.const 3))))
        (if (i32.lt_u (i32.add (local.get $c) (i32.const 1)) (local.get $n))
          (then
            (local.set $ra (i32.add (local.get $ca) (i32.const 8)))
            (if (call $worse (i32.load offset=4 (local.get $ra)) (i32.load (local.get $ra)) (i32.load offset=4 (local.get $ca)) (i32.load (local.get $ca)))
              (then
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (local.set $ca (local.get $ra))))))
        (br_if $placed (i32.eqz (call $worse (i32.load offset=4 (local.get $ca)) (i32.load (local.get $ca)) (local.get $s) (local.get $i))))
        (i64.store (i32.add (local.get $heap) (i32.shl (local.get $at) (i32.const 3))) (i64.load (local.get $ca)))
        (local.set $at (local.get $c))
        (br $down)))
    (call $place (local.get $heap) (local.get $at) (local.get $i) (local.get $s))
    (local.get $n))

  (func $place (param $heap i32) (param $at i32) (param $i i32) (param $s i32)
    (i32.store (i32.add (local.get $heap) (i32.shl (local.get $at) (i32.const 3))) (local.get $i))
    (i32.store offset=4 (i32.add (local.get $heap) (i32.shl (local.get $at) (i32.const 3))) (local.get $s)))

;; projections of many vectors on many planes (LSH codes, IVF centre scores): vectors int8 at
  ;; $src, $stride bytes apart; planes widened to i16, 2 × $stride bytes apart; out[v × $nplanes + p]
  ;; (i32 each). Two vectors and four planes at a time: each plane chunk loaded serves both
  ;; vectors, each vector chunk four planes. An odd last vector goes as its own pair (both halves
  ;; write the same values); the last $nplanes % 4 planes go one at a time.
  (func (export "project")
    (param $src i32) (param $count i32) (param $stride i32) (param $planes i32) (param $nplanes i32) (param $out i32)
    (local $v i32) (local $p i32) (local $rowa i32) (local $rowb i32) (local $outa i32) (local $outb i32)
    (local $j i32) (local $w i32) (local $quad i32) (local $pstride i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $loa v128) (local $hia v128) (local $lob v128) (local $hib v128)
    (local.set $pstride (i32.shl (local.get $stride) (i32.const 1)))
    (local.set $quad (i32.and (local.get $nplanes) (i32.const -4)))
    (local.set $v (i32.const 0))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $v) (local.get $count)))
        (local.set $rowa (i32.add (local.get $src) (i32.mul (local.get $v) (local.get $stride))))
        (local.set $outa (i32.add (local.get $out) (i32.shl (i32.mul (local.get $v) (local.get $nplanes)) (i32.const 2))))
        (local.set $rowb (local.get $rowa))
        (local.set $outb (local.get $outa))
        (if (i32.lt_u (i32.add (local.get $v) (i32.const 1)) (local.get $count))
          (then
            (local.set $rowb (i32.add (local.get $rowa) (local.get $stride)))
            (local.set $outb (i32.add (local.get $outa) (i32.shl (local.get $nplanes) (i32.const 2))))))
        (local.set $p (i32.const 0))
        (block $quadsdone
          (loop $quadloop
            (br_if $quadsdone (i32.ge_u (local.get $p) (local.get $quad)))
            (local.set $p0 (i32.add (local.get $planes) (i32.mul (local.get $p) (local.get $pstride))))
            (local.set $p1 (i32.add (local.get $p0) (local.get $pstride)))
            (local.set $p2 (i32.add (local.get $p1) (local.get $pstride)))
            (local.set $p3 (i32.add (local.get $p2) (local.get $pstride)))
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0))
            (local.set $a3 (v128.const i32x4 0 0 0 0))
            (local.set $b0 (v128.const i32x4 0 0 0 0))
            (local.set $b1 (v128.const i32x4 0 0 0 0))
            (local.set $b2 (v128.const i32x4 0 0 0 0))
            (local.set $b3 (v128.const i32x4 0 0 0 0))
            (local.set $j (i32.const 0))
            (block $rowdone
              (loop $chunk
                (br_if $rowdone (i32.ge_u (local.get $j) (local.get $stride)))
                (local.set $w (i32.shl (local.get $j) (i32.const 1)))
                (local.set $loa (v128.load8x8_s (i32.add (local.get $rowa) (local.get $j))))
                (local.set $hia (v128.load8x8_s offset=8 (i32.add (local.get $rowa) (local.get $j))))
                (local.set $lob (v128.load8x8_s (i32.add (local.get $rowb) (local.get $j))))
                (local.set $hib (v128.load8x8_s offset=8 (i32.add (local.get $rowb) (local.get $j))))
                (local.set $a0 (i32x4.add (local.get $a0) (i32x4.add (i32x4.dot_i16x8_s (local.get $loa) (v128.load (i32.add (local.get $p0) (local.get $w)))) (i32x4.dot_i16x8_s (local.get $hia) (v128.load offset=16 (i32.add (local.get $p0) (local.get $w)))))))
                (local.set $b0 (i32x4.add (local.get $b0) (i32x4.add (i32x4.dot_i16x8_s (local.get $lob) (v128.load (i32.add (local.get $p0) (local.get $w)))) (i32x4.dot_i16x8_s (local.get $hib) (v128.load offset=16 (i32.add (local.get $p0) (local.get $w)))))))
                (local.set $a1 (i32x4.add (local.get $a1) (i32x4.add (i32x4.dot_i16x8_s (local.get $loa) (v128.load (i32.add (local.get $p1) (local.get $w)))) (i32x4.dot_i16x8_s (local.get $hia) (v128.load offset=16 (i32.add (local.get $p1) (local.get $w)))))))
                (local.set $b1 (i32x4.add (local.get $b1) (i32x4.add (i32x4.dot_i16x8_s (local.get $lob) (v128.load (i32.add (local.get $p1) (local.get $w)))) (i32x4.dot_i16x8_s (local.get $hib) (v128.load offset=16 (i32.add (local.get $p1) (local.get $w)))))))
                (local.set $a2 (i32x4.add (local.get $a2) (i32x4.add (i32x4.dot_i16x8_s (local.get $loa) (v128.load (i32.add (local.get $p2) (local.get $w)))) (i32x4.dot_i16x8_s (local.get $hia) (v128.load offset=16 (i32.add (local.get $p2) (local.get $w)))))))
                (local.set $b2 (i32x4.add (local.get $b2) (i32x4.add (i32x4.dot_i16x8_s (local.get $lob) (v128.load (i32.add (local.get $p2) (local.get $w)))) (i32x4.dot_i16x8_s (local.get $hib) (v128.load offset=16 (i32.add (local.get $p2) (local.get $w)))))))
                (local.set $a3 (i32x4.add (local.get $a3) (i32x4.add (i32x4.dot_i16x8_s (local.get $loa) (v128.load (i32.add (local.get $p3) (local.get $w)))) (i32x4.dot_i16x8_s (local.get $hia) (v128.load offset=16 (i32.add (local.get $p3) (local.get $w)))))))
                (local.set $b3 (i32x4.add (local.get $b3) (i32x4.add (i32x4.dot_i16x8_s (local.get $lob) (v128.load (i32.add (local.get $p3) (local.get $w)))) (i32x4.dot_i16x8_s (local.get $hib) (v128.load offset=16 (i32.add (local.get $p3) (local.get $w)))))))
                (local.set $j (i32.add (local.get $j) (i32.const 16)))
                (br $chunk)))
            (i32.store offset=0 (local.get $outa) (call $sum (local.get $a0)))
            (i32.store offset=4 (local.get $outa) (call $sum (local.get $a1)))
            (i32.store offset=8 (local.get $outa) (call $sum (local.get $a2)))
            (i32.store offset=12 (local.get $outa) (call $sum (local.get $a3)))
            (i32.store offset=0 (local.get $outb) (call $sum (local.get $b0)))
            (i32.store offset=4 (local.get $outb) (call $sum (local.get $b1)))
            (i32.store offset=8 (local.get $outb) (call $sum (local.get $b2)))
            (i32.store offset=12 (local.get $outb) (call $sum (local.get $b3)))
            (local.set $outa (i32.add (local.get $outa) (i32.const 16)))
            (local.set $outb (i32.add (local.get $outb) (i32.const 16)))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $quadloop)))
        (block $planesdone
          (loop $planeloop
            (br_if $planesdone (i32.ge_u (local.get $p) (local.get $nplanes)))
            (local.set $p0 (i32.add (local.get $planes) (i32.mul (local.get $p) (local.get $pstride))))
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $b0 (v128.const i32x4 0 0 0 0))
            (local.set $j (i32.const 0))
            (block $onedone
              (loop $onechunk
                (br_if $onedone (i32.ge_u (local.get $j) (local.get $stride)))
                (local.set $w (i32.shl (local.get $j) (i32.const 1)))
                (local.set $a0 (i32x4.add (local.get $a0) (i32x4.add
                  (i32x4.dot_i16x8_s (v128.load8x8_s (i32.add (local.get $rowa) (local.get $j))) (v128.load (i32.add (local.get $p0) (local.get $w))))
                  (i32x4.dot_i16x8_s (v128.load8x8_s offset=8 (i32.add (local.get $rowa) (local.get $j))) (v128.load offset=16 (i32.add (local.get $p0) (local.get $w)))))))
                (local.set $b0 (i32x4.add (local.get $b0) (i32x4.add
                  (i32x4.dot_i16x8_s (v128.load8x8_s (i32.add (local.get $rowb) (local.get $j))) (v128.load (i32.add (local.get $p0) (local.get $w))))
                  (i32x4.dot_i16x8_s (v128.load8x8_s offset=8 (i32.add (local.get $rowb) (local.get $j))) (v128.load offset=16 (i32.add (local.get $p0) (local.get $w)))))))
                (local.set $j (i32.add (local.get $j) (i32.const 16)))
                (br $onechunk)))
            (i32.store (local.get $outa) (call $sum (local.get $a0)))
            (i32.store (local.get $outb) (call $sum (local.get $b0)))
            (local.set $outa (i32.add (local.get $outa) (i32.const 4)))
            (local.set $outb (i32.add (local.get $outb) (i32.const 4)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $planeloop)))
        (local.set $v (i32.add (local.get $v) (i32.const 2)))
        (br $each))))

  ;; dot products of one query with listed rows: ids at $ids (i32 each), scores written to $out
  ;; (i32 each); four rows at a time, so that their cache misses overlap; $count % 4 == 0
  (func $gather (export "gather")
    (param $rows i32) (param $ids i32) (param $count i32) (param $stride i32) (param $query i32) (param $out i32)
    (local $k i32) (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32) (local $j i32)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $q0 v128) (local $q1 v128) (local $qp i32)
    (local.set $k (i32.const 0))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $k) (local.get $count)))
        (local.set $r0 (i32.add (local.get $rows) (i32.mul (i32.load (i32.add (local.get $ids) (i32.shl (local.get $k) (i32.const 2)))) (local.get $stride))))
        (local.set $r1 (i32.add (local.get $rows) (i32.mul (i32.load offset=4 (i32.add (local.get $ids) (i32.shl (local.get $k) (i32.const 2)))) (local.get $stride))))
        (local.set $r2 (i32.add (local.get $rows) (i32.mul (i32.load offset=8 (i32.add (local.get $ids) (i32.shl (local.get $k) (i32.const 2)))) (local.get $stride))))
        (local.set $r3 (i32.add (local.get $rows) (i32.mul (i32.load offset=12 (i32.add (local.get $ids) (i32.shl (local.get $k) (i32.const 2)))) (local.get $stride))))
        (local.set $c0 (v128.const i32x4 0 0 0 0))
        (local.set $c1 (v128.const i32x4 0 0 0 0))
        (local.set $c2 (v128.const i32x4 0 0 0 0))
        (local.set $c3 (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (block $rowdone
          (loop $chunk
            (br_if $rowdone (i32.ge_u (local.get $j) (local.get $stride)))
            (local.set $qp (i32.add (local.get $query) (i32.shl (local.get $j) (i32.const 1))))
            (local.set $q0 (v128.load (local.get $qp)))
            (local.set $q1 (v128.load offset=16 (local.get $qp)))
            (local.set $c0 (i32x4.add (local.get $c0)
              (i32x4.dot_i16x8_s (v128.load8x8_s (i32.add (local.get $r0) (local.get $j))) (local.get $q0))))
            (local.set $c0 (i32x4.add (local.get $c0)
              (i32x4.dot_i16x8_s (v128.load8x8_s offset=8 (i32.add (local.get $r0) (local.get $j))) (local.get $q1))))
            (local.set $c1 (i32x4.add (local.get $c1)
              (i32x4.dot_i16x8_s (v128.load8x8_s (i32.add (local.get $r1) (local.get $j))) (local.get $q0))))
            (local.set $c1 (i32x4.add (local.get $c1)
              (i32x4.dot_i16x8_s (v128.load8x8_s offset=8 (i32.add (local.get $r1) (local.get $j))) (local.get $q1))))
            (local.set $c2 (i32x4.add (local.get $c2)
              (i32x4.dot_i16x8_s (v128.load8x8_s (i32.add (local.get $r2) (local.get $j))) (local.get $q0))))
            (local.set $c2 (i32x4.add (local.get $c2)
              (i32x4.dot_i16x8_s (v128.load8x8_s offset=8 (i32.add (local.get $r2) (local.get $j))) (local.get $q1))))
            (local.set $c3 (i32x4.add (local.get $c3)
              (i32x4.dot_i16x8_s (v128.load8x8_s (i32.add (local.get $r3) (local.get $j))) (local.get $q0))))
            (local.set $c3 (i32x4.add (local.get $c3)
              (i32x4.dot_i16x8_s (v128.load8x8_s offset=8 (i32.add (local.get $r3) (local.get $j))) (local.get $q1))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $chunk)))
        (i32.store offset=0 (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))) (call $sum (local.get $c0)))
        (i32.store offset=4 (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))) (call $sum (local.get $c1)))
        (i32.store offset=8 (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))) (call $sum (local.get $c2)))
        (i32.store offset=12 (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))) (call $sum (local.get $c3)))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $each))))

;; the indexed mode's candidates: the rows listed in member ranges ((from, to) i32 pairs at $ranges
  ;; into the i32 array at $members), each once — marked in the bitmap at $seen ($words i32 words),
  ;; then read back in ascending order, which makes the row reads that follow run forward through
  ;; memory — their ids written to $ids and their dot products with the query to $scores; returns
  ;; how many
  (func (export "probe")
    (param $rows i32) (param $words i32) (param $stride i32) (param $query i32) (param $members i32)
    (param $ranges i32) (param $nranges i32) (param $seen i32) (param $ids i32) (param $scores i32)
    (result i32)
    (local $r i32) (local $m i32) (local $to i32) (local $i i32) (local $found i32) (local $w i32)
    (local $word i32) (local $at i32)
    (local.set $r (i32.const 0))
    (block $rangesdone
      (loop $range
        (br_if $rangesdone (i32.ge_u (local.get $r) (local.get $nranges)))
        (local.set $m (i32.load (i32.add (local.get $ranges) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $to (i32.load offset=4 (i32.add (local.get $ranges) (i32.shl (local.get $r) (i32.const 3)))))
        (block $membersdone
          (loop $member
            (br_if $membersdone (i32.ge_u (local.get $m) (local.get $to)))
            (local.set $i (i32.load (i32.add (local.get $members) (i32.shl (local.get $m) (i32.const 2)))))
            (local.set $at (i32.add (local.get $seen) (i32.shl (i32.shr_u (local.get $i) (i32.const 5)) (i32.const 2))))
            (i32.store (local.get $at) (i32.or (i32.load (local.get $at)) (i32.shl (i32.const 1) (local.get $i))))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))
            (br $member)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $range)))
    ;; read the marks back in ascending order, clearing them
    (local.set $found (i32.const 0))
    (local.set $w (i32.const 0))
    (block $scanned
      (loop $scan
        (br_if $scanned (i32.ge_u (local.get $w) (local.get $words)))
        (local.set $at (i32.add (local.get $seen) (i32.shl (local.get $w) (i32.const 2))))
        (local.set $word (i32.load (local.get $at)))
        (if (local.get $word)
          (then
            (i32.store (local.get $at) (i32.const 0))
            (block $bitsdone
              (loop $bit
                (br_if $bitsdone (i32.eqz (local.get $word)))
                (i32.store (i32.add (local.get $ids) (i32.shl (local.get $found) (i32.const 2)))
                  (i32.add (i32.shl (local.get $w) (i32.const 5)) (i32.ctz (local.get $word))))
                (local.set $found (i32.add (local.get $found) (i32.const 1)))
                (local.set $word (i32.and (local.get $word) (i32.sub (local.get $word) (i32.const 1))))
                (br $bit)))))
        (local.set $w (i32.add (local.get $w) (i32.const 1)))
        (br $scan)))
    ;; pad the ids to a multiple of 4 with row 0 (its extra scores are ignored)
    (i64.store (i32.add (local.get $ids) (i32.shl (local.get $found) (i32.const 2))) (i64.const 0))
    (i64.store offset=8 (i32.add (local.get $ids) (i32.shl (local.get $found) (i32.const 2))) (i64.const 0))
    (call $gather (local.get $rows) (local.get $ids) (i32.and (i32.add (local.get $found) (i32.const 3)) (i32.const -4))
      (local.get $stride) (local.get $query) (local.get $scores))
    (local.get $found))

  ;; the IVF's first choice of clusters for one query: the bound is the lowest of the maxima of
  ;; $blocks blocks of ⌈$n / $blocks⌉ of the $n ranks at $ranks (i32); every cluster ranking at or
  ;; above it is written to $keys as the f64 rank·2¹⁶ + (2¹⁶ − 1 − cluster), exact since
  ;; |rank| < 2³¹; returns how many
  (func (export "best") (param $ranks i32) (param $n i32) (param $blocks i32) (param $keys i32) (result i32)
    (local $block i32) (local $from i32) (local $to i32) (local $c i32) (local $m i32) (local $s i32)
    (local $bound i32) (local $count i32)
    (local.set $block (i32.div_u (i32.sub (i32.add (local.get $n) (local.get $blocks)) (i32.const 1)) (local.get $blocks)))
    (local.set $bound (i32.const 2147483647))
    (local.set $from (i32.const 0))
    (block $blocksdone
      (loop $eachblock
        (br_if $blocksdone (i32.ge_u (local.get $from) (local.get $n)))
        (local.set $to (i32.add (local.get $from) (local.get $block)))
        (if (i32.gt_u (local.get $to) (local.get $n)) (then (local.set $to (local.get $n))))
        (local.set $m (i32.const -2147483648))
        (local.set $c (local.get $from))
        (loop $max
          (local.set $s (i32.load (i32.add (local.get $ranks) (i32.shl (local.get $c) (i32.const 2)))))
          (local.set $m (select (local.get $s) (local.get $m) (i32.gt_s (local.get $s) (local.get $m))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br_if $max (i32.lt_u (local.get $c) (local.get $to))))
        (local.set $bound (select (local.get $m) (local.get $bound) (i32.lt_s (local.get $m) (local.get $bound))))
        (local.set $from (local.get $to))
        (br $eachblock)))
    (local.set $count (i32.const 0))
    (local.set $c (i32.const 0))
    (block $collected
      (loop $collect
        (br_if $collected (i32.ge_u (local.get $c) (local.get $n)))
        (local.set $s (i32.load (i32.add (local.get $ranks) (i32.shl (local.get $c) (i32.const 2)))))
        (if (i32.ge_s (local.get $s) (local.get $bound))
          (then
            (f64.store (i32.add (local.get $keys) (i32.shl (local.get $count) (i32.const 3)))
              (f64.add
                (f64.mul (f64.convert_i32_s (local.get $s)) (f64.const 65536))
                (f64.convert_i32_s (i32.sub (i32.const 65535) (local.get $c)))))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $collect)))
    (local.get $count))
)
