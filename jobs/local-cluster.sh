#!/usr/bin/env bash
# A standalone Flink session cluster on this machine, from Maven artifacts (no Flink tarball): a job
# manager and task managers as separate JVMs, all on loopback addresses, with Rollstream's
# target/cluster-lib on their classpath the way a Flink distribution has it in lib/.
#
#   jobs/local-cluster.sh start [--dir DIR] [--rest-port PORT] [--slots N] [--cpu-task-managers N]
#                               [--gpu-task-managers N] [--discovery-script PATH]
#   jobs/local-cluster.sh start-task-manager NAME [--gpu] [--dir DIR]    # another (or a replacement) TM
#   jobs/local-cluster.sh stop [--dir DIR]
#   jobs/local-cluster.sh [--dir DIR] flink ARGS...   # Flink's CLI against this cluster, e.g.
#       jobs/local-cluster.sh flink run -d target/rollstream-job.jar --config C --run-dir D
#       (the CLI runs ClusterJob's main() here, in the client, with cluster-lib on its classpath)
#
# Defaults: --dir runs/local-cluster, --rest-port 8081, --slots 4, one CPU task manager, no GPU task
# manager. A GPU task manager declares its GPUs through Flink's external resource framework
# (flink-external-resource-gpu from Maven Central, in plugins/external-resource-gpu, fetched by
# jobs/cluster/fetch-gpu-plugin.sh); --discovery-script defaults to Flink's
# nvidia-gpu-discovery.sh, and jobs/cluster/fake-gpu-discovery.sh declares GPU 0 on any machine.
# The web UI and REST API: http://localhost:PORT. Logs: DIR/log/. JVM ids: DIR/pids/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

die() { echo "local-cluster: $*" >&2; exit 2; }

dir="$root/runs/local-cluster"
if [[ ${1:-} == --dir ]]; then dir=$2; shift 2; fi
command=${1:-}; shift || true
rest_port=8081; slots=4; cpu_tms=1; gpu_tms=0; discovery=""; gpu=false; name=""
if [[ $command == start-task-manager ]]; then
  name=${1:-}; [[ -n $name && $name != --* ]] || die "start-task-manager needs a NAME"; shift
fi
while [[ $# -gt 0 && $command != flink ]]; do
  case $1 in
    --dir) dir=$2; shift 2 ;;
    --rest-port) rest_port=$2; shift 2 ;;
    --slots) slots=$2; shift 2 ;;
    --cpu-task-managers) cpu_tms=$2; shift 2 ;;
    --gpu-task-managers) gpu_tms=$2; shift 2 ;;
    --discovery-script) discovery=$2; shift 2 ;;
    --gpu) gpu=true; shift ;;
    *) die "unknown option $1 (see the header of $0)" ;;
  esac
done
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
conf="$dir/conf"; gpu_conf="$dir/conf-gpu"; logs="$dir/log"; pids="$dir/pids"

# The JVM flags Flink's own scripts add on Java 17 (flink-dist's env.java.opts.all): without them jar
# submission fails with InaccessibleObjectException.
OPENS="--add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED
--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
--add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.text=ALL-UNNAMED
--add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
--add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED"

# Builds the job jar, target/cluster-lib and Flink's classpath when missing or stale.
build() {
  local jar="$root/target/rollstream-job.jar"
  if [[ ! -f $jar || ! -f $root/target/flink-classpath.txt || $root/pom.xml -nt $jar
        || -n "$(find "$root/src/main" -newer "$jar" -type f -print -quit 2>/dev/null)" ]]; then
    echo "local-cluster: building target/rollstream-job.jar and target/cluster-lib..." >&2
    (cd "$root" && mvn -q -B -DskipTests -Dspotless.check.skip=true package >&2)
  fi
}

classpath() { echo "$(cat "$root/target/flink-classpath.txt"):$root/target/cluster-lib/*"; }

# A value of jobs/cluster/config.yaml (flat key: value lines).
setting() { sed -n "s/^$1: *//p" "$conf/config.yaml"; }

# BashJavaUtils prints what Flink's scripts pass to a JVM: line 1 the JVM memory flags, line 2 the
# memory settings as dynamic properties (the task manager refuses to start without them).
resource_params() { # KIND CONF_DIR
  java -cp "$(classpath)" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$2" 2>/dev/null \
    | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p' | tail -n 2
}

write_conf() {
  mkdir -p "$conf" "$logs" "$pids" "$dir/plugins/external-resource-gpu"
  local rpc_port
  rpc_port=$(free_port)
  sed -e "s|@RPC_PORT@|$rpc_port|" -e "s|@REST_PORT@|$rest_port|" -e "s|@SLOTS@|$slots|" -e "s|@WORK@|$dir|" \
    "$root/jobs/cluster/config.yaml" > "$conf/config.yaml"
  cp "$root/jobs/cluster/log4j2.properties" "$conf/"
  # The GPU driver is a plugin: its jar and discovery scripts in plugins/external-resource-gpu/.
  # Fetched once into target/ (Maven cannot resolve it: see jobs/cluster/fetch-gpu-plugin.sh).
  local plugin="$dir/plugins/external-resource-gpu"
  "$root/jobs/cluster/fetch-gpu-plugin.sh" "$root/target/external-resource-gpu"
  cp -p "$root/target/external-resource-gpu/"* "$plugin/"
  mkdir -p "$gpu_conf"
  cp "$conf/config.yaml" "$conf/log4j2.properties" "$gpu_conf/"
  sed "s|@DISCOVERY_SCRIPT@|${discovery:-$plugin/nvidia-gpu-discovery.sh}|" "$root/jobs/cluster/gpu.yaml" \
    >> "$gpu_conf/config.yaml"
}

# A free loopback port for the job manager's RPC (Flink's usual 6123 without python3).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo 6123
}

launch() { # NAME CLASS CONF_DIR JVM_FLAGS DYNAMIC_PROPERTIES [EXTRA_ENV...]
  local name=$1 class=$2 confdir=$3 jvm=$4 dyn=$5; shift 5
  # shellcheck disable=SC2086  # flag strings are word lists
  env OMP_WAIT_POLICY=PASSIVE FLINK_CONF_DIR="$confdir" FLINK_PLUGINS_DIR="$dir/plugins" "$@" \
    java $OPENS $jvm -Dlog.file="$logs/$name.log" -Dlog4j.configurationFile="file:$confdir/log4j2.properties" \
    -cp "$(classpath)" "$class" --configDir "$confdir" $dyn > "$logs/$name.out" 2>&1 &
  echo $! > "$pids/$name.pid"
  echo "local-cluster: started $name (pid $!, log $logs/$name.log)"
}

start_jobmanager() {
  local params
  params=$(resource_params GET_JM_RESOURCE_PARAMS "$conf")
  launch jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint "$conf" \
    "$(sed -n 1p <<<"$params") $(setting env.java.opts.jobmanager)" "$(sed -n 2p <<<"$params")"
}

start_taskmanager() { # NAME GPU(true|false)
  local confdir=$conf params
  [[ $2 == true ]] && confdir=$gpu_conf
  params=$(resource_params GET_TM_RESOURCE_PARAMS "$confdir")
  launch "$1" org.apache.flink.runtime.taskexecutor.TaskManagerRunner "$confdir" \
    "$(sed -n 1p <<<"$params") $(setting env.java.opts.taskmanager)" \
    "$(sed -n 2p <<<"$params") -D taskmanager.resource-id=$1"
}

wait_for_task_managers() { # COUNT
  local url="http://localhost:$(setting rest.port)/taskmanagers"
  for _ in $(seq 1 120); do
    local n
    n=$(curl -s "$url" 2>/dev/null | grep -o '"id":' | wc -l || true)
    if [[ $n -ge $1 ]]; then
      echo "local-cluster: $n task managers registered; web UI http://localhost:$(setting rest.port)"
      return 0
    fi
    sleep 1
  done
  die "task managers did not register within 120 s (logs in $logs)"
}

# Stops the JVMs this script started (by their recorded pids): SIGTERM, then SIGKILL after 20 s.
stop_all() {
  [[ -d $pids ]] || return 0
  local f pid stopping=()
  for f in "$pids"/*.pid; do
    [[ -f $f ]] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null && stopping+=("$pid") && echo "local-cluster: stopping $(basename "$f" .pid) (pid $pid)"
    rm -f "$f"
  done
  for pid in "${stopping[@]}"; do
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  done
}

case $command in
  start)
    build
    write_conf
    start_jobmanager
    for i in $(seq 1 "$cpu_tms"); do start_taskmanager "tm-cpu-$i" false; done
    for i in $(seq 1 "$gpu_tms"); do start_taskmanager "tm-gpu-$i" true; done
    wait_for_task_managers $((cpu_tms + gpu_tms))
    ;;
  start-task-manager)
    [[ -f $conf/config.yaml ]] || die "no cluster in $dir: run start first"
    start_taskmanager "$name" "$gpu"
    ;;
  stop) stop_all ;;
  flink)
    [[ -f $conf/config.yaml ]] || die "no cluster in $dir: run start first"
    # shellcheck disable=SC2086  # OPENS is a word list
    exec env FLINK_CONF_DIR="$conf" java $OPENS -Dai.djl.offline=true -Dlog4j.configurationFile="file:$conf/log4j2.properties" \
      -Dlog.file="$logs/client.log" -cp "$(classpath)" org.apache.flink.client.cli.CliFrontend "$@"
    ;;
  *) die "usage: $0 start|start-task-manager NAME|stop|flink ARGS [options] (see the header)" ;;
esac
