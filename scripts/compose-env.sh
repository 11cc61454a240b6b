#!/usr/bin/env bash
# Writes .env for `docker compose up` from .env.example, every CHANGE-ME secret replaced by a fresh
# random one (the Fernet key in Fernet's format). Never overwrites an existing file.
#
#   scripts/compose-env.sh            # writes ./.env (mode 600) and says so
#   scripts/compose-env.sh other.env  # writes another file
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${1:-$repo/.env}"
if [ -e "$target" ]; then
    echo "statwh: $target exists, left as it is (delete it to generate new secrets)" >&2
    exit 1
fi
command -v openssl >/dev/null || { echo "statwh: openssl is needed to generate the secrets" >&2; exit 1; }

secret() { openssl rand -base64 33 | tr '+/' '-_' | tr -d '=\n'; }
fernet_key() { openssl rand -base64 32 | tr '+/' '-_' | tr -d '\n'; }  # 32 bytes, url-safe base64

umask 077
: >"$target"
while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
        AIRFLOW_FERNET_KEY=*CHANGE-ME*) echo "AIRFLOW_FERNET_KEY=$(fernet_key)" ;;
        [A-Z]*=*CHANGE-ME*) echo "${line%%=*}=$(secret)" ;;
        *) printf '%s\n' "$line" ;;
    esac
done <"$repo/.env.example" >>"$target"
echo "statwh: wrote $target with new secrets (keep it; the admin's password is AIRFLOW_ADMIN_PASSWORD there)" >&2
