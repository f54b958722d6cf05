#!/usr/bin/env bash
# Stands in for Flink's nvidia-gpu-discovery.sh on machines without a GPU (tests): declares GPU
# index 0. Flink calls it with the requested amount and the configured args; it prints the
# comma-separated indexes.
echo 0
