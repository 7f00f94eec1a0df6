#!/usr/bin/env bash
# Creates .tools/venv with moto[server] (KMS/STS test server) and the Python aws-encryption-sdk, from PyPI.
# Idempotent: skips the install when the venv already has the pinned requirements (stamp file).
# Usage: bash scripts/moto/setup.sh   (npm run tools:setup)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="$root/.tools/venv"
req="$root/scripts/moto/requirements.txt"
stamp="$venv/.sealpost-requirements"
py="${PYTHON:-python3}"

if [[ -x "$venv/bin/python" && -f "$stamp" ]] && cmp -s "$req" "$stamp"; then
  echo "moto: venv up to date ($venv)"
  exit 0
fi
if ! "$py" -c 'import sys; assert sys.version_info >= (3, 9)' 2>/dev/null; then
  echo "moto: need Python >= 3.9 as '$py' (set PYTHON=...)" >&2
  exit 1
fi
if [[ ! -x "$venv/bin/python" ]]; then
  mkdir -p "$root/.tools"
  if ! "$py" -m venv "$venv"; then
    echo "moto: '$py -m venv' failed; on Debian/Ubuntu: apt-get install -y python3-venv" >&2
    rm -rf "$venv"
    exit 1
  fi
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -r "$req"
"$venv/bin/python" -c 'import moto, aws_encryption_sdk; from moto.server import ThreadedMotoServer; print("moto", moto.__version__, "/ aws-encryption-sdk", aws_encryption_sdk.__version__)'
cp "$req" "$stamp"
