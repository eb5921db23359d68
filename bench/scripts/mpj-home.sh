# Sourced by the MPJ Express side-by-side scripts (ROOT set): mpj_program SOURCE sets JAVA_HOME (JDK 25), makes a
# temporary WORK removed at exit, lays out a private MPJ_HOME in WORK/home (mpj_home: Debian's MPJ jars look for
# log4j and commons-* beside themselves and its launcher lacks log4j; see docs/mpj.md) and compiles the mpiJava
# program SOURCE against MPJ Express's mpj.jar into WORK/classes, which both MPJ Express and Ringfold then run;
# mpj_table prints the sitting's medians from the runs' RESULT lines.
mpj_home() {
  [ -r /usr/share/java/mpj.jar ] || { echo "MPJ Express is not installed (apt-get install libmpj-java)" >&2; return 2; }
  mkdir -p "$1/home/lib" "$1/home/conf"
  # the versioned files, each as its unversioned name: the links beside them name the same jars
  for j in /usr/share/mpj/lib/*-0.44.jar; do b=$(basename "$j"); cp "$j" "$1/home/lib/${b%-0.44.jar}.jar"; done
  for j in log4j-1.2 commons-cli commons-codec commons-io; do cp -L "/usr/share/java/$j.jar" "$1/home/lib/"; done
  cp "$1/home/lib/log4j-1.2.jar" "$1/home/lib/log4j-1.2.11.jar"
  cp /usr/share/mpj/conf/mpjexpress.conf "$1/home/conf/" 2>/dev/null || true
}

mpj_program() {
  JAVA_HOME=$("$ROOT/bin/find-jdk") || exit 1
  export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
  mpj_home "$WORK" || exit 2
  mkdir -p "$WORK/classes"
  javac -nowarn -cp /usr/share/java/mpj.jar -d "$WORK/classes" "$1" || exit 1
}

# mpj_table HEADER DIGITS [OURS]: from the RESULT lines ("RESULT <key1> <key2> <value>") of WORK/mpj.* (MPJ Express's
# runs) and WORK/ours.* (Ringfold's; WORK/OURS.* when given), one row per key in the order first seen: the median over runs of each, the range, and
# MPJ Express's median / Ringfold's. HEADER names the two key columns and the unit ("operation | size (B) | µs").
mpj_table() {
  awk -v header="$1" -v digits="$2" '
    /^RESULT/ { key = $2 " " $3; who = FILENAME ~ /mpj\./ ? "mpj" : "ours"; v[who, key] = v[who, key] " " $4
      if (!(key in seen)) { seen[key] = 1; order[++n] = key } }
    function median(s,   a, k, i, j, t) { k = split(s, a, " ")
      for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
    function range(s,   a, k, i, lo, hi) { k = split(s, a, " "); lo = a[1]; hi = a[1]
      for (i = 2; i <= k; i++) { if (a[i] + 0 < lo + 0) lo = a[i]; if (a[i] + 0 > hi + 0) hi = a[i] }
      return sprintf("%." digits "f-%." digits "f", lo, hi) }
    END { split(header, h, " [|] "); unit = h[3] == "" ? "" : " " h[3]
      printf "| %s | %s | MPJ Express%s | (range) | Ringfold%s | (range) | MPJ Express / Ringfold |\n", h[1], h[2], unit, unit
      print "|---|---:|---:|---:|---:|---:|---:|"
      for (i = 1; i <= n; i++) { k = order[i]; split(k, p, " "); m = median(v["mpj", k]); o = median(v["ours", k])
        printf "| %s | %s | %." digits "f | %s | %." digits "f | %s | %.2fx |\n", p[1], p[2], m, range(v["mpj", k]), o, range(v["ours", k]), m / o } }
  ' "$WORK"/mpj.* "$WORK"/"${3:-ours}".*
}
