#!/bin/sh
# The image's entry point: the streamrec CLI with the JVM flags of the repository's ./streamrec launcher
# (the Vector API for the java engine's SIMD kernels, DJL offline, one libtorch thread), then STREAMREC_JAVA_OPTS,
# whose flags win when they repeat one.
# exec: the JVM becomes PID 1 and gets docker stop's SIGTERM, so the trainer publishes its final snapshot.
# shellcheck disable=SC2086
exec java --add-modules jdk.incubator.vector -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
  ${STREAMREC_JAVA_OPTS:-} -cp "/opt/streamrec/streamrec-cli.jar:/opt/streamrec/lib/*" io.streamrec.cli.Main "$@"
