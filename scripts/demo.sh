#!/usr/bin/env bash
# The demo behind `make demo`: a sample inbox for PERIOD, `publish monthly` against the local CKAN, then where to look.
# Expects `scripts/ckan.sh up` to have run (the Makefile does that first).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PERIOD=${1:?usage: scripts/demo.sh YYYY-MM}
HOME_DIR=${GONGKAI_CKAN_HOME:-$ROOT/.ckan}

set -a
# shellcheck source=/dev/null
. "$HOME_DIR/portal.env"
set +a
# A pseudonym key for the demo only: owner-only, and outside the repository (anonymize refuses keys inside one).
KEY_FILE=${GONGKAI_DEMO_KEY_FILE:-${XDG_CONFIG_HOME:-$HOME/.config}/gongkai/demo-pseudonym.key}
if [ ! -s "$KEY_FILE" ]; then
  mkdir -p "$(dirname "$KEY_FILE")"
  (umask 077 && .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(48))' >"$KEY_FILE")
fi
export GONGKAI_PSEUDONYM_KEY_FILE=$KEY_FILE
export GONGKAI_INBOX=$ROOT/var/demo/inbox GONGKAI_DIST=$ROOT/var/demo/dist GONGKAI_LEDGER=$ROOT/var/demo/ledger.sqlite3

echo "== 1/3 生成 $PERIOD 的示例收件箱（faker 合成数据，非真实个人信息）"
.venv/bin/publish demo --period "$PERIOD" --inbox "$GONGKAI_INBOX"

echo "== 2/3 publish monthly --period $PERIOD"
status=0
.venv/bin/publish monthly --period "$PERIOD" || status=$?

echo "== 3/3 再运行一次：内容未变，应当没有任何上传"
.venv/bin/publish monthly --period "$PERIOD" | tail -n 3 || status=$?

cat <<EOT

Where to look:
  portal          $GONGKAI_CKAN_URL/dataset/
  one dataset     $GONGKAI_CKAN_URL/dataset/urban-rural-dibao
  organizations   $GONGKAI_CKAN_URL/organization/
  staged packages $GONGKAI_DIST/$PERIOD/
  sample inbox    $GONGKAI_INBOX/$PERIOD/
  ledger          .venv/bin/publish history   (with GONGKAI_LEDGER=$GONGKAI_LEDGER)
EOT
exit $status
