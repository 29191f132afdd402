# Shared by the scripts that run `baton serve` processes on loopback: source it.
#   free_port SOCK_STREAM|SOCK_DGRAM       an ephemeral port free right now
#   write_cluster FILE ID COUNT [chain|raft] [failover]
#                                           a cluster file of COUNT members on free ports, data in
#                                           node-i beside FILE (chain by default; [failover] if asked)
#   cluster_brokers FILE                    the members' client addresses, comma separated
#   member_client FILE I                    member I's client address
#   wait_listening LOG...                   until each member's log says it listens (10 s each)
#   listening_address LOG                   the client address a member's log names
#   write_path_profiles DIR PREFIX          the write paths compared in BENCHMARKS.md as tuning files
#                                           DIR/PREFIXNAME.toml (NAME: uring-shared[-za0], pwrite-shared,
#                                           pwrite-dedicated[-za0], uring-dedicated; -za0: zero-ahead off)
free_port() {
  python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET, getattr(socket, sys.argv[1])); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' "$1"
}

write_cluster() {
  local file=$1 id=$2 count=$3 mode=chain failover=""
  shift 3
  for option in "$@"; do
    case $option in chain|raft) mode=$option ;; failover) failover=1 ;; *) echo "write_cluster: unknown option $option" >&2; return 1 ;; esac
  done
  {
    echo "cluster_id = $id"
    echo "replication = \"$mode\""
    for i in $(seq 0 $((count - 1))); do
      printf '[[member]]\nid = %d\nreplication = "127.0.0.1:%d"\nclient = "127.0.0.1:%d"\ndata = "node-%d"\n' \
        "$i" "$(free_port SOCK_DGRAM)" "$(free_port SOCK_STREAM)" "$i"
    done
    if [ -n "$failover" ]; then printf '[failover]\nenabled = true\n'; fi
  } > "$file"
}

cluster_brokers() { grep '^client' "$1" | cut -d'"' -f2 | paste -sd, -; }

member_client() { grep '^client' "$1" | sed -n "$(( $2 + 1 ))p" | cut -d'"' -f2; }

wait_listening() {
  local log
  for log in "$@"; do
    for _ in $(seq 100); do grep -q listening "$log" 2>/dev/null && break; sleep 0.1; done
  done
}

listening_address() { grep -o 'listening on [0-9.:]*' "$1" | head -1 | cut -d' ' -f3; }

write_path_profiles() {
  local dir=$1 prefix=$2
  profile() { printf 'io = "%s"\nthreading = "%s"\n%s' "$1" "$2" "${3:-}" > "$dir/$prefix$4.toml"; }
  profile io_uring shared 'zero_ahead_bytes = 0' uring-shared-za0
  profile io_uring shared '' uring-shared
  profile pwrite shared '' pwrite-shared
  profile pwrite dedicated 'zero_ahead_bytes = 0' pwrite-dedicated-za0
  profile pwrite dedicated '' pwrite-dedicated
  profile io_uring dedicated '' uring-dedicated
}
