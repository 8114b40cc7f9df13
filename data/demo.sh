#!/bin/sh
# The quick start's main job (see README.md). Argument: the build directory.
set -eu
echo "Synod is built in $1."
