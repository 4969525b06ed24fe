#!/bin/sh
# The image's entry point: the streamrec CLI with the JVM flags of the repository's ./streamrec launcher
# (DJL offline, one libtorch thread, and for the commands that train or score the Vector API for the SIMD
# kernels; huge pages for training and scoring where the kernel offers them; the throughput collector for `train`
# and `bench stream` unless a collector is named elsewhere), then STREAMREC_JAVA_OPTS, whose flags win when they
# repeat one.
vector=""
case "${1:-} ${2:-}" in
  "demo "* | "train "* | "evaluate "* | "score "* | "bench train" | "bench stream" | "bench score" | "bench search" | "bench soak") vector="--add-modules jdk.incubator.vector" ;;
esac
# Transparent huge pages for the commands that train or score at full speed, where the host's kernel offers them
# (see ../streamrec: the tables and the scorer's graph are read at random rows; not for the demo, whose start they
# slow).
thp=""
case "${1:-} ${2:-}" in
  "train "* | "score "* | "bench train" | "bench stream" | "bench score" | "bench search")
    if grep -qE '\[(always|madvise)\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null; then
      thp="-XX:+UseTransparentHugePages"
    fi ;;
esac
# The throughput collector for the trainer's service and its benchmark, unless STREAMREC_JAVA_OPTS or the JVM's own
# option variables name one (see ../streamrec: G1's concurrent marking and barriers took CPU from the trainer's
# threads; two collectors would stop the JVM from starting).
gc=""
case "${1:-} ${2:-}" in
  "train "* | "bench stream")
    gc="-XX:+UseParallelGC"
    set -f
    for option in ${JAVA_TOOL_OPTIONS:-} ${JDK_JAVA_OPTIONS:-} ${_JAVA_OPTIONS:-} ${STREAMREC_JAVA_OPTS:-}; do
      case "$option" in
        -XX:+UseSerialGC | -XX:+UseParallelGC | -XX:+UseG1GC | -XX:+UseZGC | -XX:+UseShenandoahGC | -XX:+UseEpsilonGC) gc="" ;;
      esac
    done
    set +f ;;
esac
# exec: the JVM becomes PID 1 and gets docker stop's SIGTERM, so the trainer publishes its final snapshot.
# shellcheck disable=SC2086
exec java $vector $thp $gc -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
  ${STREAMREC_JAVA_OPTS:-} -cp "/opt/streamrec/streamrec-cli.jar:/opt/streamrec/lib/*" io.streamrec.cli.Main "$@"
