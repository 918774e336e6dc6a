;; Exact int8 dot products with WebAssembly SIMD (no relaxed-SIMD: every engine computes the same
;; integers). Rows are int8, padded to a multiple of 16 bytes; the query is given widened to i16.
(module
  (memory (export "memory") 1)

  ;; scan: for rows [first, first+count), writes (row, score) for every score > threshold to out
  ;; and returns how many it wrote — only candidates that can still enter the top-k leave the kernel.
  ;; Four rows at a time share the query's loads; rows past the end are read (the memory after the
  ;; rows is the caller's) but never reported.
  (func (export "scan")
    (param $rows i32) (param $first i32) (param $count i32) (param $stride i32)
    (param $query i32) (param $threshold i32) (param $out i32)
    (result i32)
    (local $i i32) (local $end i32) (local $row i32) (local $j i32) (local $s i32) (local $n i32) (local $qp i32)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $q0 v128) (local $q1 v128)
    (local.set $i (local.get $first))
    (local.set $end (i32.add (local.get $first) (local.get $count)))
    (local.set $n (i32.const 0))
    (block $done
      (loop $rowloop
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $row (i32.add (local.get $rows) (i32.mul (local.get $i) (local.get $stride))))
        (local.set $c0 (v128.const i32x4 0 0 0 0))
        (local.set $c1 (v128.const i32x4 0 0 0 0))
        (local.set $c2 (v128.const i32x4 0 0 0 0))
        (local.set $c3 (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (block $rowdone
          (loop $chunk
            (br_if $rowdone (i32.ge_u (local.get $j) (local.get $stride)))
            (local.set $a0 (v128.load (i32.add (local.get $row) (local.get $j))))
            (local.set $a1 (v128.load (i32.add (i32.add (local.get $row) (local.get $stride)) (local.get $j))))
            (local.set $a2 (v128.load (i32.add (i32.add (local.get $row) (i32.shl (local.get $stride) (i32.const 1))) (local.get $j))))
            (local.set $a3 (v128.load (i32.add (i32.add (local.get $row) (i32.mul (local.get $stride) (i32.const 3))) (local.get $j))))
            (local.set $qp (i32.add (local.get $query) (i32.shl (local.get $j) (i32.const 1))))
            (local.set $q0 (v128.load (local.get $qp)))
            (local.set $q1 (v128.load offset=16 (local.get $qp)))
            (local.set $c0 (i32x4.add (local.get $c0)
              (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $a0)) (local.get $q0))))
            (local.set $c0 (i32x4.add (local.get $c0)
              (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $a0)) (local.get $q1))))
            (local.set $c1 (i32x4.add (local.get $c1)
              (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $a1)) (local.get $q0))))
            (local.set $c1 (i32x4.add (local.get $c1)
              (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $a1)) (local.get $q1))))
            (local.set $c2 (i32x4.add (local.get $c2)
              (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $a2)) (local.get $q0))))
            (local.set $c2 (i32x4.add (local.get $c2)
              (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $a2)) (local.get $q1))))
            (local.set $c3 (i32x4.add (local.get $c3)
              (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $a3)) (local.get $q0))))
            (local.set $c3 (i32x4.add (local.get $c3)
              (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $a3)) (local.get $q1))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $chunk)))
        (local.set $s (i32.add
          (i32.add (i32x4.extract_lane 0 (local.get $c0)) (i32x4.extract_lane 1 (local.get $c0)))
          (i32.add (i32x4.extract_lane 2 (local.get $c0)) (i32x4.extract_lane 3 (local.get $c0)))))
        (if (i32.and (i32.gt_s (local.get $s) (local.get $threshold)) (i32.lt_u (i32.add (local.get $i) (i32.const 0)) (local.get $end)))
          (then
            (i32.store (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))) (i32.add (local.get $i) (i32.const 0)))
            (i32.store offset=4 (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))) (local.get $s))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (local.set $s (i32.add
          (i32.add (i32x4.extract_lane 0 (local.get $c1)) (i32x4.extract_lane 1 (local.get $c1)))
          (i32.add (i32x4.extract_lane 2 (local.get $c1)) (i32x4.extract_lane 3 (local.get $c1)))))
        (if (i32.and (i32.gt_s (local.get $s) (local.get $threshold)) (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $end)))
          (then
            (i32.store (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))) (i32.add (local.get $i) (i32.const 1)))
            (i32.store offset=4 (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))) (local.get $s))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (local.set $s (i32.add
          (i32.add (i32x4.extract_lane 0 (local.get $c2)) (i32x4.extract_lane 1 (local.get $c2)))
          (i32.add (i32x4.extract_lane 2 (local.get $c2)) (i32x4.extract_lane 3 (local.get $c2)))))
        (if (i32.and (i32.gt_s (local.get $s) (local.get $threshold)) (i32.lt_u (i32.add (local.get $i) (i32.const 2)) (local.get $end)))
          (then
            (i32.store (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))) (i32.add (local.get $i) (i32.const 2)))
            (i32.store offset=4 (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))) (local.get $s))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (local.set $s (i32.add
          (i32.add (i32x4.extract_lane 0 (local.get $c3)) (i32x4.extract_lane 1 (local.get $c3)))
          (i32.add (i32x4.extract_lane 2 (local.get $c3)) (i32x4.extract_lane 3 (local.get $c3)))))
        (if (i32.and (i32.gt_s (local.get $s) (local.get $threshold)) (i32.lt_u (i32.add (local.get $i) (i32.const 3)) (local.get $end)))
          (then
            (i32.store (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))) (i32.add (local.get $i) (i32.const 3)))
            (i32.store offset=4 (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))) (local.get $s))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rowloop)))
    (local.get $n))

;; projections of many vectors on many planes (LSH codes, IVF centre scores): vectors int8 at
  ;; $src, $stride bytes apart; planes widened to i16, 2 × $stride bytes apart; out[v × $nplanes + p]
  ;; (i32 each). Four planes at a time share each widened chunk of the vector; the last
  ;; $nplanes % 4 planes go one at a time.
  (func (export "project")
    (param $src i32) (param $count i32) (param $stride i32) (param $planes i32) (param $nplanes i32) (param $out i32)
    (local $v i32) (local $p i32) (local $row i32) (local $j i32) (local $quad i32) (local $pstride i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $a v128) (local $lo v128) (local $hi v128)
    (local.set $pstride (i32.shl (local.get $stride) (i32.const 1)))
    (local.set $quad (i32.and (local.get $nplanes) (i32.const -4)))
    (local.set $v (i32.const 0))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $v) (local.get $count)))
        (local.set $row (i32.add (local.get $src) (i32.mul (local.get $v) (local.get $stride))))
        (local.set $p (i32.const 0))
        (block $quadsdone
          (loop $quadloop
            (br_if $quadsdone (i32.ge_u (local.get $p) (local.get $quad)))
            (local.set $p0 (i32.add (local.get $planes) (i32.mul (local.get $p) (local.get $pstride))))
            (local.set $p1 (i32.add (local.get $p0) (local.get $pstride)))
            (local.set $p2 (i32.add (local.get $p1) (local.get $pstride)))
            (local.set $p3 (i32.add (local.get $p2) (local.get $pstride)))
            (local.set $c0 (v128.const i32x4 0 0 0 0))
            (local.set $c1 (v128.const i32x4 0 0 0 0))
            (local.set $c2 (v128.const i32x4 0 0 0 0))
            (local.set $c3 (v128.const i32x4 0 0 0 0))
            (local.set $j (i32.const 0))
            (block $rowdone
              (loop $chunk
                (br_if $rowdone (i32.ge_u (local.get $j) (local.get $stride)))
                (local.set $a (v128.load (i32.add (local.get $row) (local.get $j))))
                (local.set $lo (i16x8.extend_low_i8x16_s (local.get $a)))
                (local.set $hi (i16x8.extend_high_i8x16_s (local.get $a)))
                (local.set $c0 (i32x4.add (local.get $c0) (i32x4.add
                  (i32x4.dot_i16x8_s (local.get $lo) (v128.load (i32.add (local.get $p0) (i32.shl (local.get $j) (i32.const 1)))))
                  (i32x4.dot_i16x8_s (local.get $hi) (v128.load offset=16 (i32.add (local.get $p0) (i32.shl (local.get $j) (i32.const 1))))))))
                (local.set $c1 (i32x4.add (local.get $c1) (i32x4.add
                  (i32x4.dot_i16x8_s (local.get $lo) (v128.load (i32.add (local.get $p1) (i32.shl (local.get $j) (i32.const 1)))))
                  (i32x4.dot_i16x8_s (local.get $hi) (v128.load offset=16 (i32.add (local.get $p1) (i32.shl (local.get $j) (i32.const 1))))))))
                (local.set $c2 (i32x4.add (local.get $c2) (i32x4.add
                  (i32x4.dot_i16x8_s (local.get $lo) (v128.load (i32.add (local.get $p2) (i32.shl (local.get $j) (i32.const 1)))))
                  (i32x4.dot_i16x8_s (local.get $hi) (v128.load offset=16 (i32.add (local.get $p2) (i32.shl (local.get $j) (i32.const 1))))))))
                (local.set $c3 (i32x4.add (local.get $c3) (i32x4.add
                  (i32x4.dot_i16x8_s (local.get $lo) (v128.load (i32.add (local.get $p3) (i32.shl (local.get $j) (i32.const 1)))))
                  (i32x4.dot_i16x8_s (local.get $hi) (v128.load offset=16 (i32.add (local.get $p3) (i32.shl (local.get $j) (i32.const 1))))))))
                (local.set $j (i32.add (local.get $j) (i32.const 16)))
                (br $chunk)))
            (i32.store offset=0 (local.get $out) (i32.add
              (i32.add (i32x4.extract_lane 0 (local.get $c0)) (i32x4.extract_lane 1 (local.get $c0)))
              (i32.add (i32x4.extract_lane 2 (local.get $c0)) (i32x4.extract_lane 3 (local.get $c0)))))
            (i32.store offset=4 (local.get $out) (i32.add
              (i32.add (i32x4.extract_lane 0 (local.get $c1)) (i32x4.extract_lane 1 (local.get $c1)))
              (i32.add (i32x4.extract_lane 2 (local.get $c1)) (i32x4.extract_lane 3 (local.get $c1)))))
            (i32.store offset=8 (local.get $out) (i32.add
              (i32.add (i32x4.extract_lane 0 (local.get $c2)) (i32x4.extract_lane 1 (local.get $c2)))
              (i32.add (i32x4.extract_lane 2 (local.get $c2)) (i32x4.extract_lane 3 (local.get $c2)))))
            (i32.store offset=12 (local.get $out) (i32.add
              (i32.add (i32x4.extract_lane 0 (local.get $c3)) (i32x4.extract_lane 1 (local.get $c3)))
              (i32.add (i32x4.extract_lane 2 (local.get $c3)) (i32x4.extract_lane 3 (local.get $c3)))))
            (local.set $out (i32.add (local.get $out) (i32.const 16)))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $quadloop)))
        (block $planesdone
          (loop $planeloop
            (br_if $planesdone (i32.ge_u (local.get $p) (local.get $nplanes)))
            (local.set $p0 (i32.add (local.get $planes) (i32.mul (local.get $p) (local.get $pstride))))
            (local.set $c0 (v128.const i32x4 0 0 0 0))
            (local.set $j (i32.const 0))
            (block $onedone
              (loop $onechunk
                (br_if $onedone (i32.ge_u (local.get $j) (local.get $stride)))
                (local.set $a (v128.load (i32.add (local.get $row) (local.get $j))))
                (local.set $c0 (i32x4.add (local.get $c0) (i32x4.add
                  (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $a)) (v128.load (i32.add (local.get $p0) (i32.shl (local.get $j) (i32.const 1)))))
                  (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $a)) (v128.load offset=16 (i32.add (local.get $p0) (i32.shl (local.get $j) (i32.const 1))))))))
                (local.set $j (i32.add (local.get $j) (i32.const 16)))
                (br $onechunk)))
            (i32.store offset=0 (local.get $out) (i32.add
              (i32.add (i32x4.extract_lane 0 (local.get $c0)) (i32x4.extract_lane 1 (local.get $c0)))
              (i32.add (i32x4.extract_lane 2 (local.get $c0)) (i32x4.extract_lane 3 (local.get $c0)))))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $planeloop)))
        (local.set $v (i32.add (local.get $v) (i32.const 1)))
        (br $each))))

  ;; dot products of one query with listed rows: ids at $ids (i32 each), scores written to $out
  ;; (i32 each); four rows at a time, so that their cache misses overlap; $count % 4 == 0
  (func $gather (export "gather")
    (param $rows i32) (param $ids i32) (param $count i32) (param $stride i32) (param $query i32) (param $out i32)
    (local $k i32) (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32) (local $j i32)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $q0 v128) (local $q1 v128) (local $qp i32)
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
            (local.set $a0 (v128.load (i32.add (local.get $r0) (local.get $j))))
            (local.set $a1 (v128.load (i32.add (local.get $r1) (local.get $j))))
            (local.set $a2 (v128.load (i32.add (local.get $r2) (local.get $j))))
            (local.set $a3 (v128.load (i32.add (local.get $r3) (local.get $j))))
            (local.set $qp (i32.add (local.get $query) (i32.shl (local.get $j) (i32.const 1))))
            (local.set $q0 (v128.load (local.get $qp)))
            (local.set $q1 (v128.load offset=16 (local.get $qp)))
            (local.set $c0 (i32x4.add (local.get $c0)
              (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $a0)) (local.get $q0))))
            (local.set $c0 (i32x4.add (local.get $c0)
              (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $a0)) (local.get $q1))))
            (local.set $c1 (i32x4.add (local.get $c1)
              (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $a1)) (local.get $q0))))
            (local.set $c1 (i32x4.add (local.get $c1)
              (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $a1)) (local.get $q1))))
            (local.set $c2 (i32x4.add (local.get $c2)
              (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $a2)) (local.get $q0))))
            (local.set $c2 (i32x4.add (local.get $c2)
              (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $a2)) (local.get $q1))))
            (local.set $c3 (i32x4.add (local.get $c3)
              (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $a3)) (local.get $q0))))
            (local.set $c3 (i32x4.add (local.get $c3)
              (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $a3)) (local.get $q1))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $chunk)))
        (i32.store offset=0 (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))) (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $c0)) (i32x4.extract_lane 1 (local.get $c0)))
            (i32.add (i32x4.extract_lane 2 (local.get $c0)) (i32x4.extract_lane 3 (local.get $c0)))))
        (i32.store offset=4 (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))) (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $c1)) (i32x4.extract_lane 1 (local.get $c1)))
            (i32.add (i32x4.extract_lane 2 (local.get $c1)) (i32x4.extract_lane 3 (local.get $c1)))))
        (i32.store offset=8 (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))) (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $c2)) (i32x4.extract_lane 1 (local.get $c2)))
            (i32.add (i32x4.extract_lane 2 (local.get $c2)) (i32x4.extract_lane 3 (local.get $c2)))))
        (i32.store offset=12 (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))) (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $c3)) (i32x4.extract_lane 1 (local.get $c3)))
            (i32.add (i32x4.extract_lane 2 (local.get $c3)) (i32x4.extract_lane 3 (local.get $c3)))))
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
)
