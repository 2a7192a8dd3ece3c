# Sourced by .ci/test. Installs and starts what the test suite needs beyond the .NET SDK.
# Nothing installed by hand survives to a clean machine, so everything the tests use is set up here.

# The newest installed server, e.g. /usr/lib/postgresql/15/bin; empty when none is installed.
_pg_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && echo "$dir"
}

prereqs_install() {
  local missing=()
  [ -n "$(_pg_bindir)" ] || missing+=(postgresql)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  # Chinese glyphs for the page screenshots the browser tests write.
  dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
  # The real SMTP server the reminder tests send to (started by the tests on 127.0.0.1 with Debian's python3).
  /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || missing+=(python3-aiosmtpd)
  # The bulletin test renders the .docx to PDF (LibreOffice) and its first page to PNG and text (poppler).
  command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
  command -v pdftoppm >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
  [ ${#missing[@]} -eq 0 ] && return 0

  echo "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q || return 1
  apt-get install -y -q --no-install-recommends "${missing[@]}" || return 1
  [ -n "$(_pg_bindir)" ] && [ -x /usr/bin/chromium ] && dpkg -s fonts-noto-cjk >/dev/null 2>&1 \
    && /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null && command -v soffice >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1
}

# A private throw-away cluster: it leaves any system cluster alone and starts from nothing on every run.
prereqs_start() {
  local bin port
  bin=$(_pg_bindir) || { echo "PostgreSQL server binaries not found under /usr/lib/postgresql" >&2; return 1; }

  TASKTRACKER_PG_DIR=$(mktemp -d /tmp/tasktracker-pg.XXXXXX) || return 1
  chown postgres:postgres "$TASKTRACKER_PG_DIR" || return 1

  for port in $(seq 55432 55531); do
    # Nothing answering on the port means it is free (bash's /dev/tcp, no extra tools needed).
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  done

  # cd /: the postgres user may not be able to read the checkout.
  (cd / && runuser -u postgres -- "$bin/initdb" -D "$TASKTRACKER_PG_DIR/data" -U postgres --auth=trust \
      -E UTF8 --locale=C.UTF-8 >"$TASKTRACKER_PG_DIR/initdb.log" 2>&1) || {
    echo "initdb failed:" >&2; cat "$TASKTRACKER_PG_DIR/initdb.log" >&2; return 1; }

  # fsync=off: the data is thrown away after the run, so durability only costs time here.
  (cd / && runuser -u postgres -- "$bin/pg_ctl" -D "$TASKTRACKER_PG_DIR/data" -l "$TASKTRACKER_PG_DIR/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $port -k $TASKTRACKER_PG_DIR -c fsync=off -c max_connections=200" start >/dev/null) || {
    echo "PostgreSQL did not start:" >&2; cat "$TASKTRACKER_PG_DIR/server.log" >&2; return 1; }

  local i
  for i in $(seq 1 30); do
    "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" && break
    sleep 1
  done
  "$bin/pg_isready" -h 127.0.0.1 -p "$port" || { cat "$TASKTRACKER_PG_DIR/server.log" >&2; return 1; }

  export TASKTRACKER_TEST_PG="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  echo "PostgreSQL $("$bin/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port"
}

prereqs_stop() {
  [ -n "${TASKTRACKER_PG_DIR:-}" ] && [ -d "$TASKTRACKER_PG_DIR" ] || return 0
  local bin
  bin=$(_pg_bindir)
  if [ -n "$bin" ] && [ -f "$TASKTRACKER_PG_DIR/data/postmaster.pid" ]; then
    (cd / && runuser -u postgres -- "$bin/pg_ctl" -D "$TASKTRACKER_PG_DIR/data" -m fast -w stop >/dev/null)
  fi
  rm -rf "$TASKTRACKER_PG_DIR"
  unset TASKTRACKER_PG_DIR
}
