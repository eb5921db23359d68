# Sourced by the MPJ Express side-by-side scripts (ROOT set): mpj_program SOURCE sets JAVA_HOME (JDK 25), makes a
# temporary WORK removed at exit, lays out a private MPJ_HOME in WORK/home (mpj_home: Debian's MPJ jars look for
# log4j and commons-* beside themselves and its launcher lacks log4j; see docs/mpj.md) and compiles the mpiJava
# program SOURCE against MPJ Express's mpj.jar into WORK/classes, which both MPJ Express and Ringfold then run.
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
