#!/usr/bin/env bash
# Submits Rollstream to a running Flink session cluster through its REST API, or stops a job there.
#
#   jobs/submit.sh --config PATH [--set key=value ...] [--run-dir DIR] [--resume-from SAVEPOINT_OR_CHECKPOINT]
#                  [--rest URL] [--jar JAR]
#   jobs/submit.sh --stop JOBID [--savepoint-dir DIR] [--rest URL]
#
# The cluster needs target/cluster-lib/*.jar in lib/ on every JVM (jobs/local-cluster.sh and docker/
# do that). The job's main() runs in the job manager: --config and --run-dir are paths there (a
# shared volume on a real cluster); the config may be on any Flink file system (file://, s3://,
# hdfs:// with the file system plugin). Prints the job id and the web UI link; --stop takes a
# savepoint, stops the job and prints the savepoint path (continue with --resume-from it). With
# --run-dir, the job's main() also writes DIR/job.json, so `jobs/rollstream stop DIR` stops it too
# (that way generators first park the problems waiting for admission, so the savepoint comes fast).
# Prefer that: a savepoint barrier is always aligned, and --stop alone (Flink's REST stop) can wait
# without end when a job with two or more generators has one waiting at the admission gate.
# --rest defaults to $FLINK_REST or http://localhost:8081.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rest=${FLINK_REST:-http://localhost:8081}
jar="$root/target/rollstream-job.jar"
config=""; run_dir=""; resume=""; stop=""; savepoint_dir=""; sets=()

die() { echo "submit: $*" >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case $1 in
    --config) config=$2; shift 2 ;;
    --set) sets+=("$2"); shift 2 ;;
    --run-dir) run_dir=$2; shift 2 ;;
    --resume-from) resume=$2; shift 2 ;;
    --rest) rest=${2%/}; shift 2 ;;
    --jar) jar=$2; shift 2 ;;
    --stop) stop=$2; shift 2 ;;
    --savepoint-dir) savepoint_dir=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done

# A JSON string literal of $1.
json_string() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

# The string value of "key" in a one-object JSON answer (the REST answers are flat enough for this).
json_field() { # KEY JSON
  sed -n "s/.*\"$1\" *: *\"\\([^\"]*\\)\".*/\\1/p" <<<"$2" | head -n 1
}

# Absolute paths for local files, so the job manager resolves them the same way; URIs (file:/...,
# s3://...) stay as they are.
absolute() {
  if [[ $1 =~ ^[A-Za-z][A-Za-z0-9+.-]*: || $1 == /* ]]; then echo "$1"; else echo "$(pwd)/$1"; fi
}

if [[ -n $stop ]]; then
  body="{\"drain\":false"
  [[ -n $savepoint_dir ]] && body+=",\"targetDirectory\":$(json_string "$(absolute "$savepoint_dir")")"
  body+="}"
  answer=$(curl -sS -X POST -H 'Content-Type: application/json' -d "$body" "$rest/jobs/$stop/stop")
  trigger=$(json_field request-id "$answer")
  [[ -n $trigger ]] || die "stopping job $stop failed: $answer"
  echo "stopping job $stop with a savepoint..."
  for _ in $(seq 1 300); do
    answer=$(curl -sS "$rest/jobs/$stop/savepoints/$trigger")
    case $(json_field id "$answer") in
      COMPLETED)
        location=$(json_field location "$answer")
        [[ -n $location ]] || die "the savepoint of job $stop failed: $answer"
        echo "savepoint: $location"
        echo "continue with: jobs/submit.sh --config CONFIG --run-dir RUN_DIR --resume-from $location"
        exit 0 ;;
      IN_PROGRESS) sleep 1 ;;
      *) die "unexpected answer while stopping job $stop: $answer" ;;
    esac
  done
  die "the savepoint of job $stop did not complete within 300 s"
fi

[[ -n $config ]] || die "--config PATH is required (or --stop JOBID; see --help)"
if [[ ! -f $jar ]]; then
  echo "submit: building $jar..." >&2
  (cd "$root" && mvn -q -B -DskipTests -Dspotless.check.skip=true package >&2)
fi

answer=$(curl -sS -X POST -H "Expect:" -F "jarfile=@$jar" "$rest/jars/upload") \
  || die "cannot reach the cluster's REST API at $rest (start one with jobs/local-cluster.sh start)"
uploaded=$(json_field filename "$answer")
[[ -n $uploaded ]] || die "jar upload to $rest failed: $answer"
jar_id=$(basename "$uploaded")

args=("--config" "$(absolute "$config")")
for s in "${sets[@]}"; do args+=("--set" "$s"); done
[[ -n $run_dir ]] && args+=("--run-dir" "$(absolute "$run_dir")" "--rest-url" "$rest")
list=""
for a in "${args[@]}"; do list+="${list:+,}$(json_string "$a")"; done
body="{\"entryClass\":\"io.rollstream.job.ClusterJob\",\"programArgsList\":[$list]"
[[ -n $resume ]] && body+=",\"savepointPath\":$(json_string "$(absolute "$resume")"),\"claimMode\":\"NO_CLAIM\""
body+="}"

answer=$(curl -sS -X POST -H 'Content-Type: application/json' -d "$body" "$rest/jars/$jar_id/run")
curl -sS -X DELETE "$rest/jars/$jar_id" >/dev/null || true
job=$(json_field jobid "$answer")
if [[ -z $job ]]; then
  # The program's own error (a bad config names its key) is buried in the handler's stack trace.
  cause=$(sed -n 's/.*The main method caused an error: \(.*\)/\1/p' <<<"$answer" | sed 's/\\n\\tat .*//; s/\\n/\n/g')
  die "the cluster refused the job: ${cause:-$answer}"
fi
echo "job $job submitted${resume:+ (resuming from $resume)}"
echo "web UI: $rest/#/job/running/$job/overview"
if [[ -n $run_dir ]]; then
  echo "stop with a savepoint: jobs/rollstream stop $run_dir   (or jobs/submit.sh --stop $job --rest $rest)"
else
  echo "stop with a savepoint: jobs/submit.sh --stop $job --rest $rest"
fi
